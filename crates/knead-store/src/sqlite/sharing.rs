//! [`Sharing`] on SQLite.
//!
//! Addresses come from `accounts` with a left join: a person without an
//! account (the local one) has the empty address rather than records that
//! vanish from a list.

use super::writer::Job;
use super::{SqliteStore, id_text, parse_id, parse_time, person_text, put_screening, time_text};
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
use sqlx::{FromRow, SqliteConnection};
use uuid::Uuid;

#[derive(FromRow)]
struct InvitationRow {
    patient: String,
    created_at: String,
    expires_at: String,
    used_at: Option<String>,
}

#[derive(FromRow)]
struct GrantRow {
    id: String,
    patient: String,
    patient_email: String,
    patient_name: Option<String>,
    clinician: String,
    clinician_email: String,
    granted_at: String,
    revoked_at: Option<String>,
}

/// Grants with both addresses; add a `WHERE`.
const GRANT_SELECT: &str = "SELECT g.id, g.patient, COALESCE(pa.email, '') AS patient_email, \
     pa.display_name AS patient_name, \
     g.clinician, COALESCE(ca.email, '') AS clinician_email, g.granted_at, g.revoked_at \
     FROM grants g LEFT JOIN accounts pa ON pa.person = g.patient LEFT JOIN accounts ca ON ca.person = g.clinician";

impl GrantRow {
    fn decode(self) -> Result<Grant, StoreError> {
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("grant", id, field, problem);
        Ok(Grant {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            patient: PersonId(parse_id(&self.patient).map_err(|e| bad("patient", e))?),
            clinician: PersonId(parse_id(&self.clinician).map_err(|e| bad("clinician", e))?),
            granted_at: parse_time(&self.granted_at).map_err(|e| bad("granted_at", e))?,
            revoked_at: match &self.revoked_at {
                Some(text) => Some(parse_time(text).map_err(|e| bad("revoked_at", e))?),
                None => None,
            },
            patient_email: self.patient_email,
            patient_name: self.patient_name,
            clinician_email: self.clinician_email,
        })
    }
}

#[derive(FromRow)]
struct AuditRow {
    id: String,
    patient: String,
    at: String,
    actor: String,
    actor_email: String,
    action: String,
    detail: String,
}

const AUDIT_SELECT: &str = "SELECT l.id, l.patient, l.at, l.actor, COALESCE(a.email, '') AS actor_email, \
     l.action, l.detail FROM audit_log l LEFT JOIN accounts a ON a.person = l.actor";

impl AuditRow {
    fn decode(self) -> Result<AuditEntry, StoreError> {
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("audit entry", id, field, problem);
        Ok(AuditEntry {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            patient: PersonId(parse_id(&self.patient).map_err(|e| bad("patient", e))?),
            at: parse_time(&self.at).map_err(|e| bad("at", e))?,
            actor: PersonId(parse_id(&self.actor).map_err(|e| bad("actor", e))?),
            actor_email: self.actor_email,
            action: AuditAction::parse(&self.action)
                .ok_or_else(|| bad("action", format!("unknown action `{}`", self.action)))?,
            detail: self.detail,
        })
    }
}

#[derive(FromRow)]
struct AssignmentRow {
    id: String,
    patient: String,
    clinician: String,
    clinician_email: String,
    assigned_at: String,
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
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("assignment", id, field, problem);
        Ok(Assignment {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            patient: PersonId(parse_id(&self.patient).map_err(|e| bad("patient", e))?),
            clinician: PersonId(parse_id(&self.clinician).map_err(|e| bad("clinician", e))?),
            clinician_email: self.clinician_email,
            assigned_at: parse_time(&self.assigned_at).map_err(|e| bad("assigned_at", e))?,
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
    id: String,
    patient: String,
    clinician: String,
    clinician_email: String,
    author: String,
    at: String,
    text: String,
    before_session: bool,
    read_at: Option<String>,
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.patient, m.clinician, COALESCE(a.email, '') AS clinician_email, \
     m.author, m.at, m.text, m.before_session, m.read_at FROM messages m LEFT JOIN accounts a ON a.person = m.clinician";

impl MessageRow {
    fn decode(self) -> Result<Message, StoreError> {
        let id = self.id.as_str();
        let bad = |field: &str, problem: String| corrupt("message", id, field, problem);
        Ok(Message {
            id: parse_id(id).map_err(|e| bad("id", e))?,
            patient: PersonId(parse_id(&self.patient).map_err(|e| bad("patient", e))?),
            clinician: PersonId(parse_id(&self.clinician).map_err(|e| bad("clinician", e))?),
            clinician_email: self.clinician_email,
            author: PersonId(parse_id(&self.author).map_err(|e| bad("author", e))?),
            at: parse_time(&self.at).map_err(|e| bad("at", e))?,
            text: self.text,
            before_session: self.before_session,
            read_at: self.read_at.as_deref().map(parse_time).transpose().map_err(|e| bad("read_at", e))?,
        })
    }
}

// ---------------------------------------------------------------------------
// Writes, inside a transaction the caller owns.

/// Append an audit entry. One with its id there already is a retry if it is
/// this one (nothing changes), else a conflict.
async fn put_audit(conn: &mut SqliteConnection, entry: &AuditEntry, field: &str) -> Result<(), StoreError> {
    put_audits(conn, std::slice::from_ref(entry), field).await
}

/// Entries appended by one statement: a clinician's list of hundreds of
/// patients is logged in a handful of statements, not one each.
const AUDIT_ROWS_PER_INSERT: usize = 100;

/// Append audit entries (`field` names them in errors); as [`put_audit`].
pub(super) async fn put_audits(
    conn: &mut SqliteConnection,
    entries: &[AuditEntry],
    field: &str,
) -> Result<(), StoreError> {
    for chunk in entries.chunks(AUDIT_ROWS_PER_INSERT) {
        let rows = vec!["(?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO audit_log (id, patient, at, actor, action, detail) VALUES {rows} ON CONFLICT (id) DO NOTHING"
        );
        let mut insert = sqlx::query(&sql);
        for entry in chunk {
            insert = insert
                .bind(id_text(entry.id))
                .bind(person_text(entry.patient))
                .bind(time_text(&entry.at, &format!("{field}.at"))?)
                .bind(person_text(entry.actor))
                .bind(entry.action.as_str())
                .bind(&entry.detail);
        }
        let added = insert.execute(&mut *conn).await?.rows_affected();
        if usize::try_from(added).is_ok_and(|n| n == chunk.len()) {
            continue;
        }
        // Some ids were there already: each must be a retry of the same entry.
        for entry in chunk {
            let existing: Option<AuditRow> = sqlx::query_as(&format!("{AUDIT_SELECT} WHERE l.id = ?"))
                .bind(id_text(entry.id))
                .fetch_optional(&mut *conn)
                .await?;
            let same = match existing {
                Some(row) => AuditEntry { actor_email: entry.actor_email.clone(), ..row.decode()? } == *entry,
                None => false,
            };
            if !same {
                return Err(StoreError::Conflict { what: "audit entry", id: entry.id });
            }
        }
    }
    Ok(())
}

/// Log what the store itself did, under a fresh id.
async fn log(
    conn: &mut SqliteConnection,
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
    put_audit(conn, &entry, "audit").await
}

async fn fetch_grant(conn: &mut SqliteConnection, id: &str) -> Result<Option<Grant>, StoreError> {
    let row: Option<GrantRow> =
        sqlx::query_as(&format!("{GRANT_SELECT} WHERE g.id = ?")).bind(id).fetch_optional(&mut *conn).await?;
    row.map(GrantRow::decode).transpose()
}

// ---------------------------------------------------------------------------

impl Sharing for SqliteStore {
    async fn create_invitation(&self, code_hash: &str, invitation: &Invitation) -> Result<(), StoreError> {
        if invitation.expires_at <= invitation.created_at {
            return Err(StoreError::Invalid(format!(
                "invitation.expires_at: {} is not after its created_at {}",
                invitation.expires_at, invitation.created_at
            )));
        }
        let created = time_text(&invitation.created_at, "invitation.created_at")?;
        let expires = time_text(&invitation.expires_at, "invitation.expires_at")?;
        let patient = person_text(invitation.patient);
        let mut tx = self.begin_write().await?;
        let existing: Option<InvitationRow> = sqlx::query_as(
            "SELECT patient, created_at, expires_at, used_at FROM invitations WHERE code_hash = ?",
        )
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = existing {
            // The same invitation again is a retry; anything else under this code is refused.
            let same = row.patient == patient && row.created_at == created && row.expires_at == expires;
            return if same { Ok(()) } else { Err(StoreError::Taken { what: "invitation code" }) };
        }
        sqlx::query(
            "INSERT INTO invitations (code_hash, patient, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(code_hash)
        .bind(&patient)
        .bind(&created)
        .bind(&expires)
        .execute(&mut *tx)
        .await?;
        log(
            &mut tx,
            invitation.patient,
            invitation.created_at,
            invitation.patient,
            AuditAction::Invited,
            "invitation",
        )
        .await?;
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
        let at = time_text(&now, "now")?;
        let who = person_text(clinician);
        let mut tx = self.begin_write().await?;
        let row: Option<InvitationRow> = sqlx::query_as(
            "SELECT patient, created_at, expires_at, used_at FROM invitations WHERE code_hash = ?",
        )
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let found = match row {
            Some(row) => Some(InvitationState {
                patient: PersonId(
                    parse_id(&row.patient).map_err(|e| corrupt("invitation", code_hash, "patient", e))?,
                ),
                expires_at: parse_time(&row.expires_at)
                    .map_err(|e| corrupt("invitation", code_hash, "expires_at", e))?,
                used: row.used_at.is_some(),
            }),
            None => None,
        };
        let patient = acceptable(found, clinician, now)?;
        let patient_text = person_text(patient);
        sqlx::query("UPDATE invitations SET used_at = ?, used_by = ? WHERE code_hash = ?")
            .bind(&at)
            .bind(&who)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        let live: Option<String> = sqlx::query_scalar(
            "SELECT id FROM grants WHERE patient = ? AND clinician = ? AND revoked_at IS NULL",
        )
        .bind(&patient_text)
        .bind(&who)
        .fetch_optional(&mut *tx)
        .await?;
        let id = match live {
            Some(id) => id,
            None => {
                let id = id_text(grant_id);
                sqlx::query("INSERT INTO grants (id, patient, clinician, granted_at) VALUES (?, ?, ?, ?)")
                    .bind(&id)
                    .bind(&patient_text)
                    .bind(&who)
                    .bind(&at)
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        log(&mut tx, patient, now, clinician, AuditAction::Granted, "access").await?;
        let grant = fetch_grant(&mut tx, &id).await?.ok_or(StoreError::NotFound { what: "grant" })?;
        tx.commit().await?;
        Ok(grant)
    }

    async fn grants_of_patient(&self, patient: PersonId) -> Result<Vec<Grant>, StoreError> {
        let rows: Vec<GrantRow> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.patient = ? ORDER BY g.granted_at DESC, g.id DESC"
        ))
        .bind(person_text(patient))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(GrantRow::decode).collect()
    }

    async fn grants_of_clinician(&self, clinician: PersonId) -> Result<Vec<Grant>, StoreError> {
        let rows: Vec<GrantRow> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.clinician = ? AND g.revoked_at IS NULL ORDER BY g.granted_at, g.id"
        ))
        .bind(person_text(clinician))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(GrantRow::decode).collect()
    }

    async fn live_grant(&self, clinician: PersonId, patient: PersonId) -> Result<Option<Grant>, StoreError> {
        let row: Option<GrantRow> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE g.clinician = ? AND g.patient = ? AND g.revoked_at IS NULL"
        ))
        .bind(person_text(clinician))
        .bind(person_text(patient))
        .fetch_optional(&self.pool)
        .await?;
        row.map(GrantRow::decode).transpose()
    }

    async fn revoke_grant(
        &self,
        patient: PersonId,
        grant: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = time_text(&now, "now")?;
        let id = id_text(grant);
        let mut tx = self.begin_write().await?;
        let found: Option<Option<String>> =
            sqlx::query_scalar("SELECT revoked_at FROM grants WHERE id = ? AND patient = ?")
                .bind(&id)
                .bind(person_text(patient))
                .fetch_optional(&mut *tx)
                .await?;
        match found {
            None => return Err(StoreError::NotFound { what: "grant" }),
            // Revoked already (a retry, or a second click): nothing to do, nothing to log.
            Some(Some(_)) => return Ok(()),
            Some(None) => {}
        }
        sqlx::query("UPDATE grants SET revoked_at = ? WHERE id = ?")
            .bind(&at)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        log(&mut tx, patient, now, patient, AuditAction::Revoked, "access").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.write_together(Job::Audit(entries.to_vec())).await
    }

    async fn audit_log(&self, patient: PersonId, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = sqlx::query_as(&format!(
            "{AUDIT_SELECT} WHERE l.patient = ? ORDER BY l.at DESC, l.id DESC LIMIT ?"
        ))
        .bind(person_text(patient))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(AuditRow::decode).collect()
    }

    async fn assign(&self, assignment: &Assignment) -> Result<(), StoreError> {
        let a = assignment;
        let id = id_text(a.id);
        let mut tx = self.begin_write().await?;
        let existing: Option<AssignmentRow> = sqlx::query_as(&format!("{ASSIGNMENT_SELECT} WHERE s.id = ?"))
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            // A retry is unchanged (and logged once); other content under this id is refused.
            let kept = row.decode()?;
            let same = Assignment { clinician_email: a.clinician_email.clone(), ..kept } == *a;
            return if same { Ok(()) } else { Err(StoreError::Conflict { what: "assignment", id: a.id }) };
        }
        sqlx::query(
            "INSERT INTO assignments (id, patient, clinician, assigned_at, techniques, sessions_per_day, \
             days_per_week, weeks, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(person_text(a.patient))
        .bind(person_text(a.clinician))
        .bind(time_text(&a.assigned_at, "assignment.assigned_at")?)
        .bind(json_text(&a.techniques, "assignment.techniques")?)
        .bind(i64::from(a.sessions_per_day))
        .bind(i64::from(a.days_per_week))
        .bind(i64::from(a.weeks))
        .bind(&a.note)
        .execute(&mut *tx)
        .await?;
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
            "UPDATE screenings SET clearance = ? WHERE id = ? AND person = ? AND clearance IS NOT NULL",
        )
        .bind(text)
        .bind(id_text(screening))
        .bind(person_text(patient))
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
            "{ASSIGNMENT_SELECT} WHERE s.patient = ? ORDER BY s.assigned_at DESC, s.id DESC LIMIT 1"
        ))
        .bind(person_text(patient))
        .fetch_optional(&self.pool)
        .await?;
        row.map(AssignmentRow::decode).transpose()
    }

    async fn add_message(&self, message: &Message) -> Result<(), StoreError> {
        let m = message;
        check_message(m)?;
        let id = id_text(m.id);
        let mut tx = self.begin_write().await?;
        let existing: Option<MessageRow> = sqlx::query_as(&format!("{MESSAGE_SELECT} WHERE m.id = ?"))
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = existing {
            // A retry is unchanged (and logged once); other content under this id is refused.
            let kept = row.decode()?;
            let same =
                Message { clinician_email: m.clinician_email.clone(), read_at: m.read_at, ..kept } == *m;
            return if same { Ok(()) } else { Err(StoreError::Conflict { what: "message", id: m.id }) };
        }
        sqlx::query(
            "INSERT INTO messages (id, patient, clinician, author, at, text, before_session) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(person_text(m.patient))
        .bind(person_text(m.clinician))
        .bind(person_text(m.author))
        .bind(time_text(&m.at, "message.at")?)
        .bind(&m.text)
        .bind(m.before_session)
        .execute(&mut *tx)
        .await?;
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
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE messages SET read_at = ? WHERE patient = ? AND clinician = COALESCE(?, clinician) \
             AND author <> ? AND read_at IS NULL AND at <= ?",
        )
        .bind(time_text(&at, "read_at")?)
        .bind(person_text(patient))
        .bind(clinician.map(person_text))
        .bind(person_text(reader))
        .bind(time_text(&through, "through")?)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn messages(
        &self,
        patient: PersonId,
        clinician: Option<PersonId>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "{MESSAGE_SELECT} WHERE m.patient = ? AND m.clinician = COALESCE(?, m.clinician) \
             ORDER BY m.at DESC, m.id DESC LIMIT ?"
        ))
        .bind(person_text(patient))
        .bind(clinician.map(person_text))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(MessageRow::decode).collect()
    }

    async fn threads(&self, patient: PersonId) -> Result<Vec<ThreadSummary>, StoreError> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT m.clinician, COALESCE(max(a.email), ''), \
             sum(m.author <> m.patient AND m.read_at IS NULL), max(m.at) \
             FROM messages m LEFT JOIN accounts a ON a.person = m.clinician \
             WHERE m.patient = ? GROUP BY m.clinician ORDER BY max(m.at) DESC, m.clinician",
        )
        .bind(person_text(patient))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(clinician, clinician_email, unread, newest)| {
                let bad = |field: &str, problem: String| corrupt("thread", &clinician, field, problem);
                Ok(ThreadSummary {
                    clinician: PersonId(parse_id(&clinician).map_err(|e| bad("clinician", e))?),
                    unread: unread_count(unread, &clinician)?,
                    newest: parse_time(&newest).map_err(|e| bad("at", e))?,
                    clinician_email,
                })
            })
            .collect()
    }

    async fn unread_by_clinician(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> Result<Vec<(PersonId, u32)>, StoreError> {
        let ids: Vec<String> = patients.iter().copied().map(person_text).collect();
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT patient, count(*) FROM messages \
             WHERE clinician = ? AND author = patient AND read_at IS NULL \
             AND patient IN (SELECT value FROM json_each(?)) GROUP BY patient",
        )
        .bind(person_text(clinician))
        .bind(json_text(&ids, "patients")?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(patient, unread)| {
                let person = parse_id(&patient).map_err(|e| corrupt("thread", &patient, "patient", e))?;
                Ok((PersonId(person), unread_count(unread, &patient)?))
            })
            .collect()
    }

    async fn acknowledge(&self, ack: &Acknowledgement) -> Result<(), StoreError> {
        let id = id_text(ack.id);
        let mut tx = self.begin_write().await?;
        let kept: Option<String> = sqlx::query_scalar("SELECT id FROM acknowledgements WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await?;
        if kept.is_some() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO acknowledgements (id, patient, clinician, at, through, note) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(person_text(ack.patient))
        .bind(person_text(ack.clinician))
        .bind(time_text(&ack.at, "acknowledgement.at")?)
        .bind(time_text(&ack.through, "acknowledgement.through")?)
        .bind(&ack.note)
        .execute(&mut *tx)
        .await?;
        log(&mut tx, ack.patient, ack.at, ack.clinician, AuditAction::Acknowledged, "red flags").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn acknowledged(
        &self,
        clinician: PersonId,
        patients: &[PersonId],
    ) -> Result<Vec<(PersonId, DateTime<Utc>)>, StoreError> {
        let ids: Vec<String> = patients.iter().copied().map(person_text).collect();
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT patient, max(through) FROM acknowledgements \
             WHERE clinician = ? AND patient IN (SELECT value FROM json_each(?)) GROUP BY patient",
        )
        .bind(person_text(clinician))
        .bind(json_text(&ids, "patients")?)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(patient, through)| {
                let person =
                    parse_id(&patient).map_err(|e| corrupt("acknowledgement", &patient, "patient", e))?;
                let through =
                    parse_time(&through).map_err(|e| corrupt("acknowledgement", &patient, "through", e))?;
                Ok((PersonId(person), through))
            })
            .collect()
    }
}
