//! PostgreSQL roles (*vai trò cơ sở dữ liệu*): an owner role that owns the registry's tables and
//! runs the migrations, and a runtime role for the server and everyday commands that may read and
//! write the registry but on `audit` only read and append — not owner, it can neither disable
//! the append-only triggers nor update, delete or truncate the log (`vuonlen db migrate
//! --create-roles`, docs/operations.md).
//!
//! Role and schema names cannot be bound as parameters of DDL: every statement is built by the
//! server with `format('%I', $n)` from bound names (and the names are checked first).

use crate::db::{Db, Pool};
use crate::error::{Result, StoreError};

/// The default owner role.
pub const DEFAULT_OWNER: &str = "vuonlen_owner";
/// The default runtime role.
pub const DEFAULT_APP: &str = "vuonlen_app";

/// What [`Db::create_roles`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolesDone {
    /// The roles created (the others existed and were updated).
    pub created: Vec<String>,
    /// The schema whose objects were given to the owner.
    pub schema: String,
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !name.starts_with("pg_");
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "tên vai trò '{name}' không hợp lệ (chữ thường, số, _) / role name '{name}' is not valid \
             (lower-case letters, digits, _; not pg_…)"
        )))
    }
}

impl Db {
    /// Creates (when missing) and updates the owner role `owner` and the runtime role `app`
    /// (both may log in; set their passwords with `ALTER ROLE … PASSWORD`), gives the owner every
    /// table, sequence and function of the current schema, and grants `app` what it needs:
    /// SELECT/INSERT/UPDATE/DELETE on the registry tables, on `audit` only SELECT and INSERT, on
    /// `audit_head` SELECT and UPDATE, on `_sqlx_migrations` SELECT, the sequences, and the same
    /// on tables the owner creates later. Idempotent. Run as a superuser (or a role with
    /// CREATEROLE that is a member of both). Refused on SQLite (a file has no roles).
    pub async fn create_roles(&self, owner: &str, app: &str) -> Result<RolesDone> {
        let Pool::Postgres(pool) = &self.pool else {
            return Err(StoreError::Invalid(
                "SQLite không có vai trò; bảo vệ tệp bằng quyền của hệ điều hành / \
                 SQLite has no roles: protect the file with the operating system's permissions"
                    .into(),
            ));
        };
        check_name(owner)?;
        check_name(app)?;
        if owner == app {
            return Err(StoreError::Invalid(
                "vai trò chủ sở hữu và vai trò ứng dụng phải khác nhau / the owner and runtime roles must differ"
                    .into(),
            ));
        }
        let mut tx = pool.begin().await?;
        let schema: String = sqlx::query_scalar("SELECT current_schema()::TEXT").fetch_one(&mut *tx).await?;
        let mut created = Vec::new();
        for role in [owner, app] {
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(role)
                .fetch_one(&mut *tx)
                .await?;
            if !exists {
                created.push(role.to_string());
            }
        }
        // Every statement built by the server from bound names ($1 owner, $2 runtime, $3 schema).
        let statements: Vec<String> = sqlx::query_scalar(
            "SELECT s FROM ( \
               SELECT 1 AS o, format('CREATE ROLE %I LOGIN', r) AS s FROM UNNEST($4::TEXT[]) AS r \
               UNION ALL SELECT 2, format('ALTER ROLE %I NOSUPERUSER NOBYPASSRLS', $2::TEXT) \
               UNION ALL SELECT 3, format('GRANT USAGE, CREATE ON SCHEMA %I TO %I', $3::TEXT, $1::TEXT) \
               UNION ALL SELECT 4, format('ALTER TABLE %I.%I OWNER TO %I', schemaname, tablename, $1::TEXT) \
                 FROM pg_tables WHERE schemaname = $3 \
               UNION ALL SELECT 5, format('ALTER FUNCTION %I.%I(%s) OWNER TO %I', n.nspname, p.proname, \
                   pg_get_function_identity_arguments(p.oid), $1::TEXT) \
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $3 \
               UNION ALL SELECT 6, format('GRANT USAGE ON SCHEMA %I TO %I', $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 7, format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', \
                   $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 8, format('REVOKE ALL ON %I.audit, %I.audit_head, %I._sqlx_migrations FROM %I', \
                   $3::TEXT, $3::TEXT, $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 9, format('GRANT SELECT, INSERT ON %I.audit TO %I', $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 10, format('GRANT SELECT, UPDATE ON %I.audit_head TO %I', $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 11, format('GRANT SELECT ON %I._sqlx_migrations TO %I', $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 12, format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', \
                   $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 13, format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I \
                   GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', $1::TEXT, $3::TEXT, $2::TEXT) \
               UNION ALL SELECT 14, format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA %I \
                   GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', $1::TEXT, $3::TEXT, $2::TEXT) \
             ) AS q ORDER BY o",
        )
        .bind(owner)
        .bind(app)
        .bind(&schema)
        .bind(&created)
        .fetch_all(&mut *tx)
        .await?;
        for sql in statements {
            // SQL shape only: nothing is interpolated here; the server built each statement above
            // with `format('%I', …)` from bound names (identifiers cannot be bound).
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(RolesDone { created, schema })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn role_names_are_checked() {
        assert!(super::check_name("vuonlen_app").is_ok());
        assert!(super::check_name("a1").is_ok());
        for bad in ["", "App", "1a", "a-b", "a\"b", "pg_x", "a b"] {
            assert!(super::check_name(bad).is_err(), "{bad}");
        }
    }
}
