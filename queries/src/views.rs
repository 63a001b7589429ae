//! Views over the tables that the controls and `posture exposure` read, registered on a session.
//! `ec2_instance_exposure` is `queries/views/ec2_instance_exposure.sql` after two CTEs built from
//! the trait controls' own SQL, so a trait means exactly what its control says.

use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;

use crate::control;

pub const EXPOSURE: &str = "ec2_instance_exposure";

/// Instance-level traits: (trait id, the control whose alarms carry it).
pub const INSTANCE_TRAITS: &[(&str, &str)] = &[
    ("imdsv1", "ec2_instance_imdsv2_required"),
    ("public_ip", "ec2_instance_no_public_ip"),
    ("admin_role", "ec2_instance_role_no_admin_access"),
    (
        "service_admin_role",
        "ec2_instance_role_no_service_admin_access",
    ),
];

/// Security-group traits, which an instance has through any of its groups.
pub const GROUP_TRAITS: &[(&str, &str)] = &[
    ("ssh_rdp_open", "vpc_sg_restricted_ssh"),
    ("ssh_rdp_open", "vpc_sg_restricted_rdp"),
    ("open_security_group", "vpc_sg_no_unrestricted_ingress"),
];

fn alarms(traits: &[(&str, &str)], id_column: &str) -> Result<String> {
    let parts = traits
        .iter()
        .map(|(name, id)| {
            let control = control(id).map_err(|e| DataFusionError::Plan(e.to_string()))?;
            if control.sql.contains('$') {
                return Err(DataFusionError::Plan(format!("trait control {id} takes parameters; a view cannot bind them")));
            }
            Ok(format!(
                "select '{name}' as trait, resource_id as {id_column}, account_id, region, reason from ({}) as {id} where status = 'alarm'",
                control.sql.trim().trim_end_matches(';')
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(parts.join("\n  union all "))
}

/// The SQL of `ec2_instance_exposure`.
pub fn exposure_sql() -> Result<String> {
    let body = crate::FILES
        .get_file("views/ec2_instance_exposure.sql")
        .and_then(|f| f.contents_utf8())
        .expect("queries/views/ec2_instance_exposure.sql is compiled in");
    Ok(format!(
        "with trait_findings as (\n  {}\n),\ngroup_traits as (\n  {}\n),\n{body}",
        alarms(INSTANCE_TRAITS, "instance_id")?,
        alarms(GROUP_TRAITS, "group_id")?
    ))
}

/// Registers the views on `ctx` (once).
pub async fn register(ctx: &SessionContext) -> Result<()> {
    if !ctx.table_exist(EXPOSURE)? {
        ctx.sql(&format!("create view {EXPOSURE} as {}", exposure_sql()?))
            .await?;
    }
    Ok(())
}
