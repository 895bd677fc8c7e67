-- A clinician can record that they assessed a patient's back pain and that
-- self-massage is fine (schema version 6): the audit log gets the action
-- `cleared`. The column's CHECK carries PostgreSQL's default name.

ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('invited', 'granted', 'revoked', 'viewed', 'assigned', 'messaged', 'cleared'));
