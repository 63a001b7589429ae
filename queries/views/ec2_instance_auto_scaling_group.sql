-- ec2_instance_auto_scaling_group: the Auto Scaling group each instance is in, and what the group
-- launches from. Such an instance is replaced from its group's launch template or configuration,
-- so a fix made on the instance alone does not last.
select
  instance_id,
  auto_scaling_group_name,
  case
    when launch_configuration_name is not null then 'launch configuration ' || launch_configuration_name
    when launch_template_id is not null or launch_template_name is not null then 'launch template ' || coalesce(launch_template_name, launch_template_id)
    else 'launch template or configuration'
  end as launch_source,
  account_id,
  region
from (select *, unnest(instance_ids) as instance_id from autoscaling_group)
