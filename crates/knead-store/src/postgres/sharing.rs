//! [`Sharing`] on PostgreSQL.
//!
//! Addresses come from `accounts` with a left join: a person without an
//! account (the local one) has the empty address rather than records that
//! vanish from a list. Races are settled by row locks (`FOR UPDATE` on the
//! invitation or grant being changed) and by the unique index on live
//! grants, not by a lock on everything.

use super::{PgStore, micros, put_screening};
use crate::StoreError;
use crate::codec::{
    InvitationState, Put, acceptable, check_message, check_reader, corrupt, json_text, parse_techniques,
    unread_count,
};
use crate::sharing::{
    Acknowledgement, Assignment, AuditAction, AuditEntry, Grant, Invitation, Message, Sharing, ThreadSummary,
};
use chrono::{DateTime, Utc};
use knead_core::records::{Clearance, PersonId, ScreeningRecord};
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

#[derive(FromRow)]
struct GrantRow {
    id: Uuid,
    patient: Uuid,
    patient_email: String,
    patient_name: Option<String>,
    clinician: Uuid,
    clinician_email: String,
    granted_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

/// Grants with both addresses; add a `WHERE`.
const GRANT_SELECT: &str = "SELECT g.id, g.patient, COALESCE(pa.email, '') AS patient_email, \
     pa.display_name AS patient_name, \
     g.clinician, COALESCE(ca.email, '') AS clinician_email, g.granted_at, g.revoked_at \
     FROM grants g LEFT JOIN accounts pa ON pa.person = g.patient LEFT JOIN accounts ca ON ca.person = g.clinician";

impl From<GrantRow> for Grant {
    fn from(r: GrantRow) -> Self {
        Grant {
            id: r.id,
            patient: PersonId(r.patient),
            patient_email: r.patient_email,
            patient_name: r.patient_name,
            clinician: PersonId(r.clinician),
            clinician_email: r.clinician_email,
            granted_at: r.granted_at,
            revoked_at: r.revoked_at,
        }
    }
}

#[derive(FromRow)]
struct AuditRow {
    id: Uuid,
    patient: Uuid,
    at: DateTime<Utc>,
    actor: Uuid,
    actor_email: String,
    action: String,
    detail: String,
}

const AUDIT_SELECT: &str = "SELECT l.id, l.patient, l.at, l.actor, COALESCE(a.email, '') AS actor_email, \
     l.action, l.detail FROM audit_log l LEFT JOIN accounts a ON a.person = l.actor";

impl AuditRow {
    fn decode(self) -> Result<AuditEntry, StoreError> {
        Ok(AuditEntry {
            id: self.id,
            patient: PersonId(self.patient),
            at: self.at,
            actor: PersonId(self.actor),
            actor_email: self.actor_email,
            action: AuditAction::parse(&self.action).ok_or_else(|| {
                corrupt(
                    "audit entry",
                    &self.id.to_string(),
                    "action",
                    format!("unknown action `{}`", self.action),
                )
            })?,
            detail: self.detail,
        })
    }
}

#[derive(FromRow)]
struct AssignmentRow {
    id: Uuid,
    patient: Uuid,
    clinician: Uuid,
    clinician_email: String,
    assigned_at: DateTime<Utc>,
    techniques: String,
    sessions_per_day: i64,
    days_per_week: i64,
    weeks: i64,
    note: Option<String>,
}

const ASSIGNMENT_SELECT: &str = "SELECT s.id, s.patient, s.clinician, COALESCE(a.email, '') AS clinician_email, \
     s.assigned_at, s.techniques, s.sessions_per_day, s.days_per_week, s.weeks, s.note \
     FROM assignments s LEFT JOIN accounts a ON a.person = s.clinician";

impl AssignmentRow {
    fn decode(self) -> Result<Assignment, StoreError> {
        let id = self.id.to_string();
        let bad = |field: &str, problem: String| corrupt("assignment", &id, field, problem);
        Ok(Assignment {
            id: self.id,
            patient: PersonId(self.patient),
            clinician: PersonId(self.clinician),
            clinician_email: self.clinician_email,
            assigned_at: self.assigned_at,
            techniques: parse_techniques(&self.techniques).map_err(|e| bad("techniques", e))?,
            sessions_per_day: u32::try_from(self.sessions_per_day)
                .map_err(|_| bad("sessions_per_day", format!("{} is out of range", self.sessions_per_day)))?,
            days_per_week: u8::try_from(self.days_per_week)
                .map_err(|_| bad("days_per_week", format!("{} is out of range", self.days_per_week)))?,
            weeks: u16::try_from(self.weeks)
                .map_err(|_| bad("weeks", format!("{} is out of range", self.weeks)))?,
            note: self.note,
        })
    }
}

#[derive(FromRow)]
struct MessageRow {
    id: Uuid,
    patient: Uuid,
    clinician: Uuid,
    clinician_email: String,
    author: Uuid,
    at: DateTime<Utc>,
    text: String,
    before_session: bool,
    read_at: Option<DateTime<Utc>>,
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.patient, m.clinician, COALESCE(a.email, '') AS clinician_email, \
     m.author, m.at, m.text, m.before_session, m.read_at FROM messages m LEFT JOIN accounts a ON a.person = m.clinician";

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: r.id,
            patient: PersonId(r.patient),
            clinician: PersonId(r.clinician),
            clinician_email: r.clinician_email,
            author: PersonId(r.author),
            at: r.at,
            text: r.text,
            before_session: r.before_session,
            read_at: r.read_at,
        }
    }
}

// ---------------------------------------------------------------------------
// Writes, inside a transaction the caller owns.

/// Append an audit entry. One with its id there already is a retry if it is
/// this one (nothing changes), else a conflict.
async fn put_audit(conn: &mut PgConnection, entry: &AuditEntry) -> Result<(), StoreError> {
    let entry = &micros::audit_entry(entry);
    let added = sqlx::query(
        "INSERT INTO audit_log (id, patient, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(entry.id)
    .bind(entry.patient.0)
    .bind(entry.at)
    .bind(entry.actor.0)
    .bind(entry.action.as_str())
    .bind(&entry.detail)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added == 1 {
        return Ok(());
    }
    let existing: Option<AuditRow> = sqlx::query_as(&format!("{AUDIT_SELECT} WHERE l.id = $1"))
        .bind(entry.id)
        .fetch_optional(&mut *conn)
        .await?;
    let same = match existing {
        Some(row) => AuditEntry { actor_email: entry.actor_email.clone(), ..row.decode()? } == *entry,
        None => false,
    };
    if same { Ok(()) } else { Err(StoreError::Conflict { what: "audit entry", id: entry.id }) }
}

/// Append audit entries with one statement (a clinician's list of
/// hundreds of patients is one insert); ids there already are checked as
/// [`put_audit`] does.
async fn put_audits(conn: &mut PgConnection, entries: &[AuditEntry]) -> Result<(), StoreError> {
    let entries: Vec<AuditEntry> = entries.iter().map(micros::audit_entry).collect();
    let added = sqlx::query(
        "INSERT INTO audit_log (id, patient, at, actor, action, detail) \
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::timestamptz[], $4::uuid[], $5::text[], $6::text[]) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(entries.iter().map(|e| e.id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.patient.0).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.at).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.actor.0).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.detail.as_str()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if usize::try_from(added).is_ok_and(|n| n == entries.len()) {
        return Ok(());
    }
    for entry in &entries {
        put_audit(conn, entry).await?;
    }
    Ok(())
}

/// Log what the store itself did, under a fresh id.
async fn log(
    conn: &mut PgConnection,
    patient: PersonId,
    at: DateTime<Utc>,
    actor: PersonId,
    action: AuditAction,
    detail: &str,
) -> Result<(), StoreError> {
    let entry = AuditEntry {
        id: Uuid::now_v7(),
        patient,
        at,
        actor,
        actor_email: String::new(),
        action,
        detail: detail.to_owned(),
    };
    put_audit(conn, &entry).await
}

// ---------------------------------------------------------------------------

impl Sharing for PgStore {
    async fn create_invitation(&self, code_hash: &str, invitation: &Invitation) -> Result<(), StoreError> {
        if invitation.expires_at <= invitation.created_at {
            return Err(StoreError::Invalid(format!(
                "invitation.expires_at: {} is not after its created_at {}",
                invitation.expires_at, invitation.created_at
            )));
        }
        let inv = &micros::invitation(invitation);
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "INSERT INTO invitations (code_hash, patient, created_at, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (code_hash) DO NOTHING",
        )
        .bind(code_hash)
        .bind(inv.patient.0)
        .bind(inv.created_at)
        .bind(inv.expires_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 0 {
            // The same invitation again is a retry; anything else under this code is refused.
            let existing: Option<(Uuid, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
                "SELECT patient, created_at, expires_at FROM invitations WHERE code_hash = $1",
            )
            .bind(code_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let same = existing == Some((inv.patient.0, inv.created_at, inv.expires_at));
            return if same { Ok(()) } else { Err(StoreError::Taken { what: "invitation code" }) };
        }
        log(&mut tx, inv.patient, inv.created_at, inv.patient, AuditAction::Invited, "invitation").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn accept_invitation(
        &self,
        code_hash: &str,
        clinician: PersonId,
        grant_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Grant, StoreError> {
        let now = micros::cut(now);
        let mut tx = self.begin_write().await?;
        // Lock the invitation: of two clinicians accepting it at once, one gets it.
        let row: Option<(Uuid, DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT patient, expires_at, used_at FROM invitations WHERE code_hash = $1 FOR UPDATE",
        )
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let found = row.map(|(patient, expires_at, used_at)| InvitationState {
            patient: PersonId(patient),
            expires_at,
            used: used_at.is_some(),
        });
        let patient = acceptable(found, clinician, now)?.0;
        sqlx::query("UPDATE invitations SET used_at = $1, used_by = $2 WHERE code_hash = $3")
            .bind(now)
            .bind(clinician.0)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        // A live grant there already (another invitation, accepted at the
        // same moment or before) is kept: the unique index settles the race.
        sqlx::query(
            "INSERT INTO grants (id, patient, clinician, granted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (patient, clinician) WHERE revoked_at IS NULL DO NOTHING",
        )
        .bind(grant_id)
        .bind(patient)
        .bind(clinician.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        log(&mut tx, PersonId(patient), now, clinician, AuditAction::Granted, "access").await?;
        let grant: GrantRow = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.patient = $1 AND g.clinician = $2 AND g.revoked_at IS NULL"
        ))
        .bind(patient)
        .bind(clinician.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(grant.into())
    }

    async fn grants_of_patient(&self, patient: PersonId) -> Result<Vec<Grant>, StoreError> {
        let rows: Vec<GrantRow> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.patient = $1 ORDER BY g.granted_at DESC, g.id DESC"
        ))
        .bind(patient.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Grant::from).collect())
    }

    async fn grants_of_clinician(&self, clinician: PersonId) -> Result<Vec<Grant>, StoreError> {
        let rows: Vec<GrantRow> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.clinician = $1 AND g.revoked_at IS NULL ORDER BY g.granted_at, g.id"
        ))
        .bind(clinician.0)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Grant::from).collect())
    }

    async fn live_grant(&self, clinician: PersonId, patient: PersonId) -> Result<Option<Grant>, StoreError> {
        let row: Option<GrantRow> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.clinician = $1 AND g.patient = $2 AND g.revoked_at IS NULL"
        ))
        .bind(clinician.0)
        .bind(patient.0)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Grant::from))
    }

    async fn revoke_grant(
        &self,
        patient: PersonId,
        grant: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Lock the grant: two revocations at once log one `Revoked`.
        let found: Option<Option<DateTime<Utc>>> =
            sqlx::query_scalar("SELECT revoked_at FROM grants WHERE id = $1 AND patient = $2 FOR UPDATE")
                .bind(grant)
                .bind(patient.0)
                .fetch_optional(&mut *tx)
                .await?;
        match found {
            None => return Err(StoreError::NotFound { what: "grant" }),
            // Revoked already (a retry, or a second click): nothing to do, nothing to log.
            Some(Some(_)) => return Ok(()),
            Some(None) => {}
        }
        sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2")
            .bind(micros::cut(now))
            .bind(grant)
            .execute(&mut *tx)
            .await?;
        log(&mut tx, patient, now, patient, AuditAction::Revoked, "access").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        put_audits(&mut tx, entries).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_log(&self, patient: PersonId, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = sqlx::query_as(&format!(
            "{AUDIT_SELECT} WHERE l.patient = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2"
        ))
        .bind(patient.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(AuditRow::decode).collect()
    }

    async fn assign(&self, assignment: &Assignment) -> Result<(), StoreError> {
        let a = &micros::assignment(assignment);
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "INSERT INTO assignments (id, patient, clinician, assigned_at, techniques, sessions_per_day, \
             days_per_week, weeks, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(a.id)
        .bind(a.patient.0)
        .bind(a.clinician.0)
        .bind(a.assigned_at)
        .bind(json_text(&a.techniques, "assignment.techniques")?)
        .bind(i64::from(a.sessions_per_day))
        .bind(i64::from(a.days_per_week))
        .bind(i64::from(a.weeks))
        .bind(&a.note)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 0 {
            // A retry is unchanged (and logged once); other content under this id is refused.
            let existing: Option<AssignmentRow> =
                sqlx::query_as(&format!("{ASSIGNMENT_SELECT} WHERE s.id = $1"))
                    .bind(a.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let same = match existing {
                Some(row) => Assignment { clinician_email: a.clinician_email.clone(), ..row.decode()? } == *a,
                None => false,
            };
            return if same { Ok(()) } else { Err(StoreError::Conflict { what: "assignment", id: a.id }) };
        }
        log(&mut tx, a.patient, a.assigned_at, a.clinician, AuditAction::Assigned, "home program").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn clear(
        &self,
        patient: PersonId,
        clinician: PersonId,
        screening: &ScreeningRecord,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        if let Put::Added = put_screening(&mut tx, patient, screening).await? {
            log(&mut tx, patient, screening.at, clinician, AuditAction::Cleared, "screening").await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn review_clearance(
        &self,
        patient: PersonId,
        clinician: PersonId,
        screening: Uuid,
        clearance: &Clearance,
        then: Option<&ScreeningRecord>,
        action: AuditAction,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let text = json_text(clearance, "screening.clearance")?;
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE screenings SET clearance = $1 WHERE id = $2 AND person = $3 AND clearance IS NOT NULL",
        )
        .bind(text)
        .bind(screening)
        .bind(patient.0)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "clearance" });
        }
        if let Some(then) = then {
            put_screening(&mut tx, patient, then).await?;
        }
        log(&mut tx, patient, at, clinician, action, "clearance").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn assignment(&self, patient: PersonId) -> Result<Option<Assignment>, StoreError> {
        let row: Option<AssignmentRow> = sqlx::query_as(&format!(
            "{ASSIGNMENT_SELECT} WHERE s.patient = $1 ORDER BY s.assigned_at DESC, s.id DESC LIMIT 1"
        ))
        .bind(patient.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(AssignmentRow::decode).transpose()
    }

    async fn add_message(&self, message: &Message) -> Result<(), StoreError> {
        check_message(message)?;
        let m = &micros::message(message);
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "INSERT INTO messages (id, patient, clinician, author, at, text, before_session) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING",
        )
        .bind(m.id)
        .bind(m.patient.0)
        .bind(m.clinician.0)
        .bind(m.author.0)
        .bind(m.at)
        .bind(&m.text)
        .bind(m.before_session)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 0 {
            // A retry is unchanged (and logged once); other content under this id is refused.
            let existing: Option<MessageRow> = sqlx::query_as(&format!("{MESSAGE_SELECT} WHERE m.id = $1"))
                .bind(m.id)
                .fetch_optional(&mut *tx)
                .await?;
            let same = existing.is_some_and(|row| {
                Message { clinician_email: m.clinician_email.clone(), read_at: m.read_at, ..row.into() } == *m
            });
            return if same { Ok(()) } else { Err(StoreError::Conflict { what: "message", id: m.id }) };
        }
        log(&mut tx, m.patient, m.at, m.author, AuditAction::Messaged, "message").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn read_messages(
        &self,
        patient: PersonId,
        clinician: Option<PersonId>,
        reader: PersonId,
        through: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        check_reader(patient, clinician, reader)?;
        sqlx::query(
            "UPDATE messages SET read_at = $5 WHERE patient = $1 AND clinician = COALESCE($2, clinician) \
             AND author <> $3 AND read_at IS NULL AND at <= $4",
        )
        .bind(patient.0)
        .bind(clinician.map(|c| c.0))
        .bind(reader.0)
        .bind(through)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn messages(
        &self,
        patient: PersonId,
        clinician: Option<PersonId>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE m.patient = $1 AND m.clinician = COALESCE($2, m.clinician) \
             ORDER BY m.at DESC, m.id DESC LIMIT $3"
        ))
        .bind(patient.0)
        .bind(clinician.map(|c| c.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Message::from).collect())
    }

    async fn threads(&self, patient: PersonId) -> Result<Vec<ThreadSummary>, StoreError> {
        let rows: Vec<(Uuid, String, i64, DateTime<Utc>)> = sqlx::query_as(
            "SELECT m.clinician, COALESCE(max(a.email), ''), \
             count(*) FILTER (WHERE m.author <> m.patient AND m.read_at IS NULL), max(m.at) \
             FROM messages m LEFT JOIN accounts a ON a.person = m.clinician \
             WHERE m.patient = $1 GROUP BY m.clinician ORDER BY max(m.at) DESC, m.clinician",
        )
        .bind(patient.0)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(clinician, clinician_email, unread, newest)| {
                let unread = unread_count(unread, &clinician.to_string())?;
                Ok(ThreadSummary { clinician: PersonId(clinician), clinician_email, unread, newest })
            })
            .collect()
    }

    async fn unread_by_clinician(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> Result<Vec<(PersonId, u32)>, StoreError> {
        let ids: Vec<Uuid> = patients.iter().map(|p| p.0).collect();
        let rows: Vec<(Uuid, i64)> = sqlx::query_as(
            "SELECT patient, count(*) FROM messages \
             WHERE clinician = $1 AND author = patient AND read_at IS NULL AND patient = ANY($2) \
             GROUP BY patient",
        )
        .bind(clinician.0)
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(patient, unread)| Ok((PersonId(patient), unread_count(unread, &patient.to_string())?)))
            .collect()
    }

    async fn acknowledge(&self, ack: &Acknowledgement) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "INSERT INTO acknowledgements (id, patient, clinician, at, through, note) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(ack.id)
        .bind(ack.patient.0)
        .bind(ack.clinician.0)
        .bind(micros::cut(ack.at))
        .bind(micros::cut(ack.through))
        .bind(&ack.note)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added == 1 {
            let at = micros::cut(ack.at);
            log(&mut tx, ack.patient, at, ack.clinician, AuditAction::Acknowledged, "red flags").await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn acknowledged(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> Result<Vec<(PersonId, DateTime<Utc>)>, StoreError> {
        let ids: Vec<Uuid> = patients.iter().map(|p| p.0).collect();
        let rows: Vec<(Uuid, DateTime<Utc>)> = sqlx::query_as(
            "SELECT patient, max(through) FROM acknowledgements \
             WHERE clinician = $1 AND patient = ANY($2) GROUP BY patient",
        )
        .bind(clinician.0)
        .bind(&ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(patient, through)| (PersonId(patient), through)).collect())
    }
}
