//! Helpers for Knead's tests.
//!
//! [`postgres`]: the server comes from `KNEAD_TEST_POSTGRES_URL`; each test
//! gets a database of its own, dropped with it. When the variable is unset
//! the tests fail: a PostgreSQL run that silently did not happen is worse
//! than a red one. A developer without PostgreSQL opts out knowingly with
//! `KNEAD_TEST_POSTGRES=skip`; CI never sets it.

// Test support: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod postgres {
    //! A fresh PostgreSQL database per test.

    use sqlx::postgres::PgConnection;
    use sqlx::{Connection, Executor};
    use uuid::Uuid;

    /// The variable naming the server.
    pub const URL_VAR: &str = "KNEAD_TEST_POSTGRES_URL";
    /// The variable that, set to `skip`, skips these tests.
    pub const SKIP_VAR: &str = "KNEAD_TEST_POSTGRES";

    /// The server's URL; `None` only when skipping was asked for.
    pub fn server_url() -> Option<String> {
        match std::env::var(URL_VAR) {
            Ok(url) if !url.trim().is_empty() => Some(url),
            _ if std::env::var(SKIP_VAR).is_ok_and(|v| v == "skip") => {
                eprintln!("{SKIP_VAR}=skip: the PostgreSQL tests are skipped");
                None
            }
            _ => panic!(
                "{URL_VAR} is not set: the PostgreSQL tests need a server, e.g. \
                 {URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres (`bash .ci/postgres` starts one \
                 and prints it). To skip them knowingly, set {SKIP_VAR}=skip."
            ),
        }
    }

    /// `url` with its database replaced by `database`.
    pub fn with_database(url: &str, database: &str) -> String {
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (url, String::new()),
        };
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        let server = match base[after_scheme..].find('/') {
            Some(slash) => &base[..after_scheme + slash],
            None => base,
        };
        format!("{server}/{database}{query}")
    }

    /// A database made for one test, dropped with it.
    pub struct TestDatabase {
        server: String,
        name: String,
    }

    impl TestDatabase {
        /// A new, empty database on the server; its URL.
        ///
        /// # Panics
        /// When the server cannot be reached: a test that needs it must fail.
        pub async fn create(server: &str) -> (TestDatabase, String) {
            let name = format!("knead_test_{}", Uuid::now_v7().simple());
            let mut conn = PgConnection::connect(server)
                .await
                .unwrap_or_else(|e| panic!("cannot connect to {URL_VAR}={server}: {e}"));
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.unwrap();
            conn.close().await.unwrap();
            let url = with_database(server, &name);
            (TestDatabase { server: server.to_owned(), name }, url)
        }
    }

    impl Drop for TestDatabase {
        fn drop(&mut self) {
            // Drop is not async: a thread of its own with a runtime of its own.
            let (server, name) = (self.server.clone(), self.name.clone());
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async {
                    let mut conn = PgConnection::connect(&server).await?;
                    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
                    conn.close().await
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("could not drop the test database {}: {dropped:?}", self.name);
            }
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_database_of_a_url_is_replaced() {
            use super::with_database;
            assert_eq!(with_database("postgres://u@h:5432/postgres", "x"), "postgres://u@h:5432/x");
            assert_eq!(with_database("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
            assert_eq!(
                with_database("postgres://u@h/db?sslmode=disable", "x"),
                "postgres://u@h/x?sslmode=disable"
            );
        }
    }
}
