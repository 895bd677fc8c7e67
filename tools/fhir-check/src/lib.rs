//! Nothing here: the check is the test in tests/.
