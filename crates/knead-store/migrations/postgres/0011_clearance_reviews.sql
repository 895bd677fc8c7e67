-- Clearances a clinician reviews, and names people choose (schema version
-- 11). A clinician may confirm a clearance a patient reported or withdraw
-- one (kept in the screening's clearance JSON, logged as `confirmed` or
-- `withdrew`). An account gets the name its owner wants shown instead of
-- their address.

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged', 'cleared',
                      'acknowledged', 'confirmed', 'withdrew'));

ALTER TABLE accounts ADD COLUMN display_name text;
