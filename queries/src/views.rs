//! Views over the tables, registered on a session: logic that several controls share, and what
//! `posture exposure` reads. Each is `queries/views/<name>.sql`; `ec2_instance_exposure` gets two
//! CTEs built from the trait controls' own SQL before its text, so a trait means exactly what its
//! control says.

use datafusion::error::{DataFusionError, Result};
use datafusion::prelude::SessionContext;

use crate::control;

/// What each security group lets in from the whole internet, a row per rule (the port control
/// with a port-list parameter).
pub const WORLD_INGRESS: &str = "ec2_security_group_world_ingress";
/// The same per group, with the rules each fixed port check looks for (the other port controls).
pub const WORLD_OPEN: &str = "ec2_security_group_world_open";
/// The instance-role controls' verdicts, from each instance's role and its admin statements.
pub const ROLE_ADMIN: &str = "ec2_instance_role_admin";
/// Each instance's active Inspector findings: the network-exploitable ones and the others.
pub const VULNERABILITY: &str = "ec2_instance_vulnerability";
/// The Auto Scaling group each instance is in, and what the group launches from.
pub const AUTO_SCALING_GROUP: &str = "ec2_instance_auto_scaling_group";
pub const EXPOSURE: &str = "ec2_instance_exposure";

/// Every view, each after the views it reads.
pub const VIEWS: [&str; 6] = [
    WORLD_INGRESS,
    WORLD_OPEN,
    ROLE_ADMIN,
    VULNERABILITY,
    AUTO_SCALING_GROUP,
    EXPOSURE,
];

/// Instance-level traits: (trait id, the control whose alarms carry it).
pub const INSTANCE_TRAITS: &[(&str, &str)] = &[
    ("imdsv1", "ec2_instance_imdsv2_required"),
    ("public_ip", "ec2_instance_no_public_ip"),
    (
        "network_exploitable_vulnerability",
        "ec2_instance_no_network_exploitable_vulnerabilities",
    ),
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

fn file(name: &str) -> &'static str {
    crate::FILES
        .get_file(format!("views/{name}.sql"))
        .and_then(|f| f.contents_utf8())
        .unwrap_or_else(|| panic!("queries/views/{name}.sql is compiled in"))
}

/// The SQL of the view `name`, one of [`VIEWS`].
fn sql(name: &str) -> Result<String> {
    if name != EXPOSURE {
        return Ok(file(name).to_string());
    }
    Ok(format!(
        "with trait_findings as (\n  {}\n),\ngroup_traits as (\n  {}\n),\n{}",
        alarms(INSTANCE_TRAITS, "instance_id")?,
        alarms(GROUP_TRAITS, "group_id")?,
        file(EXPOSURE)
    ))
}

/// Registers on `ctx` the views `query` reads, and the views those read (each once).
pub async fn register_read_by(ctx: &SessionContext, query: &str) -> Result<()> {
    let views = VIEWS
        .iter()
        .map(|name| Ok((*name, sql(name)?)))
        .collect::<Result<Vec<_>>>()?;
    // A view reads only views before it: walking back, a view is needed when the query or a
    // needed view names it.
    let mut needed = vec![false; views.len()];
    for i in (0..views.len()).rev() {
        let name = views[i].0;
        needed[i] = query.contains(name)
            || (i + 1..views.len()).any(|j| needed[j] && views[j].1.contains(name));
    }
    for ((name, sql), needed) in views.iter().zip(needed) {
        if needed && !ctx.table_exist(*name)? {
            ctx.sql(&format!("create view {name} as {sql}")).await?;
        }
    }
    Ok(())
}

/// Registers every view on `ctx` (each once).
pub async fn register(ctx: &SessionContext) -> Result<()> {
    register_read_by(ctx, &VIEWS.join(" ")).await
}
