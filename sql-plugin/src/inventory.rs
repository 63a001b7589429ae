//! An inventory: the AWS resources of one or more accounts and regions, each in the canonical
//! shape (the AWS API's PascalCase JSON, as the `aws` CLI prints it), whatever source it came
//! from. Tables read only this.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

use crate::text::excerpt;
use crate::value::Json;

/// The kinds of resource an inventory holds. A table reads one or more kinds; each kind is
/// described once, by [`Kind::descriptor`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Instance,
    SecurityGroup,
    /// One entry of `describe-security-group-rules` (has a rule id, no parent group).
    SecurityGroupRule,
    NetworkInterface,
    Volume,
    Snapshot,
    /// `describe-snapshot-attribute --attribute createVolumePermission`.
    SnapshotPermissions,
    Image,
    /// `get-ebs-encryption-by-default` / `get-ebs-default-kms-key-id`, one per account and region.
    EbsDefaults,
    LaunchTemplateVersion,
    Vpc,
    Subnet,
    NetworkAcl,
    RouteTable,
    FlowLog,
    VpcPeeringConnection,
    VpnGateway,
    TransitGatewayAttachment,
    ManagedPrefixList,
    /// `get-managed-prefix-list-entries`, one per prefix list (its output does not name the list).
    ManagedPrefixListEntries,
    /// An Application, Network or Gateway Load Balancer (`aws elbv2 describe-load-balancers`).
    LoadBalancerV2,
    /// An elbv2 listener (`describe-listeners`, one call per load balancer).
    Listener,
    TargetGroup,
    /// `describe-target-health`, one per target group (its output does not name the group).
    TargetHealth,
    /// A Classic Load Balancer (`aws elb describe-load-balancers`).
    ClassicLoadBalancer,
    /// An Amazon Inspector finding (`aws inspector2 list-findings`: lowerCamelCase, as the
    /// Inspector API and CLI print it).
    InspectorFinding,
    /// An instance Systems Manager knows (`aws ssm describe-instance-information`).
    SsmManagedInstance,
    /// An instance's patch state (`aws ssm describe-instance-patch-states`, per managed instance).
    SsmPatchState,
    AutoScalingGroup,
    LaunchConfiguration,
    Role,
    Policy,
    Trail,
    TrailStatus,
}

/// Where a kind is found and what reading it takes: adding a kind means one of these, one
/// table file and the live fetch.
#[derive(Clone, Copy, Debug)]
pub struct Descriptor {
    /// The field that identifies a resource within an account and region (`""`: one per
    /// account and region).
    pub id_field: &'static str,
    /// The `aws` CLI command whose output holds it.
    pub command: &'static str,
    /// The file stem `posture snapshot` writes it in (`<file>.json`, or `<file>.<id>.json` for a
    /// [`CliOutput::One`] output, whose id then comes from the file name): the command, unless
    /// two services share a command name (`elb` and `elbv2 describe-load-balancers`).
    pub file: &'static str,
    pub output: CliOutput,
    /// The AWS Config resource type whose items fill it (None: Config does not record it).
    pub config_type: Option<&'static str>,
    /// The IAM actions of the calls that read it live (extra-column calls included).
    pub iam_actions: &'static [&'static str],
    /// IAM: one `global` region per account.
    pub global: bool,
}

/// The shape of a kind's `aws` CLI output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CliOutput {
    /// `{"<key>": [resource, …]}`.
    List(&'static str),
    /// `{"Reservations": [{"Instances": [resource, …]}]}`.
    Reservations,
    /// The output is one resource, recognised by this key; one file per resource,
    /// `<command>.<id>.json`.
    One(&'static str),
    /// The outputs hold some fields of the one resource of their account and region, each
    /// recognised by one of these keys; they merge.
    Fields(&'static [&'static str]),
}

impl Kind {
    pub const ALL: &[Kind] = &[
        Kind::Instance,
        Kind::SecurityGroup,
        Kind::SecurityGroupRule,
        Kind::NetworkInterface,
        Kind::Volume,
        Kind::Snapshot,
        Kind::SnapshotPermissions,
        Kind::Image,
        Kind::EbsDefaults,
        Kind::LaunchTemplateVersion,
        Kind::Vpc,
        Kind::Subnet,
        Kind::NetworkAcl,
        Kind::RouteTable,
        Kind::FlowLog,
        Kind::VpcPeeringConnection,
        Kind::VpnGateway,
        Kind::TransitGatewayAttachment,
        Kind::ManagedPrefixList,
        Kind::ManagedPrefixListEntries,
        Kind::LoadBalancerV2,
        Kind::Listener,
        Kind::TargetGroup,
        Kind::TargetHealth,
        Kind::ClassicLoadBalancer,
        Kind::InspectorFinding,
        Kind::SsmManagedInstance,
        Kind::SsmPatchState,
        Kind::AutoScalingGroup,
        Kind::LaunchConfiguration,
        Kind::Role,
        Kind::Policy,
        Kind::Trail,
        Kind::TrailStatus,
    ];

    pub const fn descriptor(self) -> Descriptor {
        const fn regional(
            id_field: &'static str,
            command: &'static str,
            output: CliOutput,
            config_type: Option<&'static str>,
            iam_actions: &'static [&'static str],
        ) -> Descriptor {
            Descriptor {
                id_field,
                command,
                file: command,
                output,
                config_type,
                iam_actions,
                global: false,
            }
        }
        use CliOutput::*;
        match self {
            Kind::Instance => regional(
                "InstanceId",
                "describe-instances",
                Reservations,
                Some("AWS::EC2::Instance"),
                &["ec2:DescribeInstances"],
            ),
            Kind::SecurityGroup => regional(
                "GroupId",
                "describe-security-groups",
                List("SecurityGroups"),
                Some("AWS::EC2::SecurityGroup"),
                &["ec2:DescribeSecurityGroups"],
            ),
            Kind::SecurityGroupRule => regional(
                "SecurityGroupRuleId",
                "describe-security-group-rules",
                List("SecurityGroupRules"),
                None,
                &["ec2:DescribeSecurityGroupRules"],
            ),
            Kind::NetworkInterface => regional(
                "NetworkInterfaceId",
                "describe-network-interfaces",
                List("NetworkInterfaces"),
                Some("AWS::EC2::NetworkInterface"),
                &["ec2:DescribeNetworkInterfaces"],
            ),
            Kind::Volume => regional(
                "VolumeId",
                "describe-volumes",
                List("Volumes"),
                Some("AWS::EC2::Volume"),
                &["ec2:DescribeVolumes"],
            ),
            // Reading snapshots live reads their permissions too, for the permission columns.
            Kind::Snapshot => regional(
                "SnapshotId",
                "describe-snapshots",
                List("Snapshots"),
                None,
                &["ec2:DescribeSnapshots", "ec2:DescribeSnapshotAttribute"],
            ),
            Kind::SnapshotPermissions => regional(
                "SnapshotId",
                "describe-snapshot-attribute",
                One("CreateVolumePermissions"),
                None,
                &["ec2:DescribeSnapshotAttribute"],
            ),
            Kind::Image => regional(
                "ImageId",
                "describe-images",
                List("Images"),
                None,
                &["ec2:DescribeImages"],
            ),
            Kind::EbsDefaults => regional(
                "",
                "get-ebs-encryption-by-default",
                Fields(&["EbsEncryptionByDefault", "KmsKeyId"]),
                None,
                &["ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"],
            ),
            // Identified by template and version (see `Kind::id`).
            Kind::LaunchTemplateVersion => regional(
                "LaunchTemplateId",
                "describe-launch-template-versions",
                List("LaunchTemplateVersions"),
                Some("AWS::EC2::LaunchTemplate"),
                &["ec2:DescribeLaunchTemplateVersions"],
            ),
            Kind::Vpc => regional(
                "VpcId",
                "describe-vpcs",
                List("Vpcs"),
                Some("AWS::EC2::VPC"),
                &["ec2:DescribeVpcs"],
            ),
            Kind::Subnet => regional(
                "SubnetId",
                "describe-subnets",
                List("Subnets"),
                Some("AWS::EC2::Subnet"),
                &["ec2:DescribeSubnets"],
            ),
            Kind::NetworkAcl => regional(
                "NetworkAclId",
                "describe-network-acls",
                List("NetworkAcls"),
                Some("AWS::EC2::NetworkAcl"),
                &["ec2:DescribeNetworkAcls"],
            ),
            Kind::RouteTable => regional(
                "RouteTableId",
                "describe-route-tables",
                List("RouteTables"),
                Some("AWS::EC2::RouteTable"),
                &["ec2:DescribeRouteTables"],
            ),
            Kind::FlowLog => regional(
                "FlowLogId",
                "describe-flow-logs",
                List("FlowLogs"),
                Some("AWS::EC2::FlowLog"),
                &["ec2:DescribeFlowLogs"],
            ),
            Kind::VpcPeeringConnection => regional(
                "VpcPeeringConnectionId",
                "describe-vpc-peering-connections",
                List("VpcPeeringConnections"),
                Some("AWS::EC2::VPCPeeringConnection"),
                &["ec2:DescribeVpcPeeringConnections"],
            ),
            Kind::VpnGateway => regional(
                "VpnGatewayId",
                "describe-vpn-gateways",
                List("VpnGateways"),
                Some("AWS::EC2::VPNGateway"),
                &["ec2:DescribeVpnGateways"],
            ),
            Kind::TransitGatewayAttachment => regional(
                "TransitGatewayAttachmentId",
                "describe-transit-gateway-attachments",
                List("TransitGatewayAttachments"),
                Some("AWS::EC2::TransitGatewayAttachment"),
                &["ec2:DescribeTransitGatewayAttachments"],
            ),
            // Reading prefix lists live reads their entries too, for the entry columns. AWS
            // Config records a list with its entries.
            Kind::ManagedPrefixList => regional(
                "PrefixListId",
                "describe-managed-prefix-lists",
                List("PrefixLists"),
                Some("AWS::EC2::PrefixList"),
                &[
                    "ec2:DescribeManagedPrefixLists",
                    "ec2:GetManagedPrefixListEntries",
                ],
            ),
            Kind::ManagedPrefixListEntries => regional(
                "PrefixListId",
                "get-managed-prefix-list-entries",
                One("Entries"),
                None,
                &["ec2:GetManagedPrefixListEntries"],
            ),
            Kind::LoadBalancerV2 => regional(
                "LoadBalancerArn",
                "describe-load-balancers",
                List("LoadBalancers"),
                Some("AWS::ElasticLoadBalancingV2::LoadBalancer"),
                &["elasticloadbalancing:DescribeLoadBalancers"],
            ),
            // Read live one call per load balancer, so listing them too.
            Kind::Listener => regional(
                "ListenerArn",
                "describe-listeners",
                List("Listeners"),
                Some("AWS::ElasticLoadBalancingV2::Listener"),
                &[
                    "elasticloadbalancing:DescribeLoadBalancers",
                    "elasticloadbalancing:DescribeListeners",
                ],
            ),
            // Reading target groups live reads their targets' health too, for the target
            // columns. In the AWS Config API's resource types (not in its advanced-query schema).
            Kind::TargetGroup => regional(
                "TargetGroupArn",
                "describe-target-groups",
                List("TargetGroups"),
                Some("AWS::ElasticLoadBalancingV2::TargetGroup"),
                &[
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
            ),
            // Identified by the group's `<name>.<id>` (see `Kind::id`): the last two segments
            // of its ARN, so files are named describe-target-health.<name>.<id>.json.
            Kind::TargetHealth => regional(
                "TargetGroupArn",
                "describe-target-health",
                One("TargetHealthDescriptions"),
                None,
                &["elasticloadbalancing:DescribeTargetHealth"],
            ),
            // `aws elb describe-load-balancers`: the same command name as elbv2's, so its own
            // file name.
            Kind::ClassicLoadBalancer => Descriptor {
                file: "elb-describe-load-balancers",
                ..regional(
                    "LoadBalancerName",
                    "describe-load-balancers",
                    List("LoadBalancerDescriptions"),
                    Some("AWS::ElasticLoadBalancing::LoadBalancer"),
                    &["elasticloadbalancing:DescribeLoadBalancers"],
                )
            },
            // AWS Config does not record Inspector findings (Inspector sends them to Security Hub
            // and EventBridge instead).
            Kind::InspectorFinding => regional(
                "findingArn",
                "list-findings",
                List("findings"),
                None,
                &["inspector2:ListFindings"],
            ),
            // Config's AWS::SSM::ManagedInstanceInventory holds inventory (`AWS:InstanceInformation`
            // content without the ping status or agent freshness), not this output: not read.
            Kind::SsmManagedInstance => regional(
                "InstanceId",
                "describe-instance-information",
                List("InstanceInformationList"),
                None,
                &["ssm:DescribeInstanceInformation"],
            ),
            // Read live for the managed instances' ids, so listing them too. Config's
            // AWS::SSM::PatchCompliance holds per-patch compliance items, not these counts: not
            // read.
            Kind::SsmPatchState => regional(
                "InstanceId",
                "describe-instance-patch-states",
                List("InstancePatchStates"),
                None,
                &[
                    "ssm:DescribeInstanceInformation",
                    "ssm:DescribeInstancePatchStates",
                ],
            ),
            Kind::AutoScalingGroup => regional(
                "AutoScalingGroupName",
                "describe-auto-scaling-groups",
                List("AutoScalingGroups"),
                Some("AWS::AutoScaling::AutoScalingGroup"),
                &["autoscaling:DescribeAutoScalingGroups"],
            ),
            Kind::LaunchConfiguration => regional(
                "LaunchConfigurationName",
                "describe-launch-configurations",
                List("LaunchConfigurations"),
                Some("AWS::AutoScaling::LaunchConfiguration"),
                &["autoscaling:DescribeLaunchConfigurations"],
            ),
            Kind::Role => Descriptor {
                global: true,
                ..regional(
                    "Arn",
                    "get-account-authorization-details",
                    List("RoleDetailList"),
                    Some("AWS::IAM::Role"),
                    &["iam:GetAccountAuthorizationDetails"],
                )
            },
            Kind::Policy => Descriptor {
                global: true,
                ..regional(
                    "Arn",
                    "get-account-authorization-details",
                    List("Policies"),
                    Some("AWS::IAM::Policy"),
                    &["iam:GetAccountAuthorizationDetails"],
                )
            },
            // Reading trails live reads their status too, for the status columns.
            Kind::Trail => regional(
                "Name",
                "describe-trails",
                List("trailList"),
                Some("AWS::CloudTrail::Trail"),
                &["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
            ),
            Kind::TrailStatus => regional(
                "Name",
                "get-trail-status",
                One("IsLogging"),
                None,
                &["cloudtrail:GetTrailStatus"],
            ),
        }
    }

    /// The kind whose list call fetching this kind makes first (listeners are read per load
    /// balancer, patch states per managed instance): a run reading both fetches them together.
    pub fn read_through(self) -> Option<Kind> {
        match self {
            Kind::Listener => Some(Kind::LoadBalancerV2),
            Kind::SsmPatchState => Some(Kind::SsmManagedInstance),
            _ => None,
        }
    }

    /// The kind whose outputs complete this kind's records, which a table of this kind reads
    /// too: a trail's status, a snapshot's permissions, a target group's health, a prefix list's
    /// entries, and a group's rules as `describe-security-group-rules` lists them.
    pub fn companion(self) -> Option<Kind> {
        match self {
            Kind::Trail => Some(Kind::TrailStatus),
            Kind::Snapshot => Some(Kind::SnapshotPermissions),
            Kind::TargetGroup => Some(Kind::TargetHealth),
            Kind::ManagedPrefixList => Some(Kind::ManagedPrefixListEntries),
            Kind::SecurityGroup => Some(Kind::SecurityGroupRule),
            _ => None,
        }
    }

    /// The top-level keys of this kind's `aws` CLI output.
    pub fn output_keys(self) -> Vec<&'static str> {
        match self.descriptor().output {
            CliOutput::Reservations => vec!["Reservations"],
            CliOutput::List(key) | CliOutput::One(key) => vec![key],
            CliOutput::Fields(keys) => keys.to_vec(),
        }
    }

    /// IAM: one `global` region per account.
    pub fn is_global(self) -> bool {
        self.descriptor().global
    }

    /// The kind an AWS Config resource type loads as (None: not modelled).
    pub fn of_config_type(resource_type: &str) -> Option<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.descriptor().config_type == Some(resource_type))
    }

    /// The id of a resource of this kind within an account and region.
    pub(crate) fn id(self, data: &Value) -> String {
        if self == Kind::LaunchTemplateVersion {
            let version = data
                .at("VersionNumber")
                .map(Value::to_string)
                .unwrap_or_default();
            return format!(
                "{}:{version}",
                data.str_at("LaunchTemplateId").unwrap_or_default()
            );
        }
        if self == Kind::TargetHealth {
            return target_group_key(data.str_at("TargetGroupArn").unwrap_or_default());
        }
        match self.descriptor().id_field {
            "" => String::new(),
            field => data.str_at(field).unwrap_or_default().to_string(),
        }
    }
}

/// How a target group's health is found: `<name>.<id>`, the last two segments of its ARN
/// (`…:targetgroup/web/6e7f8a9b0c1d2e3f` → `web.6e7f8a9b0c1d2e3f`); text that is no target
/// group ARN (an id taken from a file name) as it is.
pub fn target_group_key(arn: &str) -> String {
    match arn.split_once(":targetgroup/") {
        Some((_, path)) => path.replace('/', "."),
        None => arn.to_string(),
    }
}

/// One resource in the canonical shape, and where it lives.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub kind: Kind,
    pub account_id: String,
    pub region: String,
    pub data: Value,
    /// When AWS Config captured it; the newest capture of a resource wins.
    pub captured_at: Option<i64>,
}

impl Resource {
    pub fn new(kind: Kind, account_id: &str, region: &str, data: Value) -> Self {
        Resource {
            kind,
            account_id: account_id.to_string(),
            region: region.to_string(),
            data,
            captured_at: None,
        }
    }

    pub fn id(&self) -> String {
        self.kind.id(&self.data)
    }
}

/// A resource held as its compact JSON text until a table reads it: a `serde_json::Value` tree
/// takes several times the memory of its text, so the resource lists of `aws` CLI outputs are
/// kept this way ([`crate::sources::parse`]).
#[derive(Clone, Debug)]
pub struct Frozen {
    pub kind: Kind,
    pub account_id: String,
    pub region: String,
    pub id: String,
    /// `serde_json`'s compact text of the resource's canonical JSON.
    pub text: Box<str>,
    pub captured_at: Option<i64>,
}

impl Frozen {
    fn of(resource: &Resource) -> Frozen {
        Frozen {
            kind: resource.kind,
            account_id: resource.account_id.clone(),
            region: resource.region.clone(),
            id: resource.id(),
            text: resource.data.to_string().into(),
            captured_at: resource.captured_at,
        }
    }

    pub fn thaw(&self) -> Resource {
        Resource {
            kind: self.kind,
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            // serde_json wrote the text from a Value, and reads it back as that Value.
            data: serde_json::from_str(&self.text).expect("serde_json reads what it wrote"),
            captured_at: self.captured_at,
        }
    }

    fn key(&self) -> Key {
        (
            self.account_id.clone(),
            self.region.clone(),
            self.id.clone(),
        )
    }
}

type Key = (String, String, String);

/// Resources by kind, each list ordered by (account, region, id). Loaded from files by
/// [`sources::files`](crate::sources::files), from live AWS by the live tables.
#[derive(Debug, Default)]
pub struct Inventory {
    resources: HashMap<Kind, Stock>,
    index: HashMap<Kind, HashMap<Key, usize>>,
    /// Things the user should know that did not stop loading (ignored Config resource types,
    /// deleted items), one sentence each.
    pub notes: Vec<String>,
}

/// The resources of one kind: built, or frozen and built as a whole on first use.
#[derive(Debug)]
enum Stock {
    Built(Vec<Resource>),
    Frozen {
        frozen: Vec<Frozen>,
        built: OnceLock<Vec<Resource>>,
    },
}

impl Stock {
    fn len(&self) -> usize {
        match self {
            Stock::Built(resources) => resources.len(),
            Stock::Frozen { frozen, .. } => frozen.len(),
        }
    }
}

static EMPTY: Vec<Resource> = Vec::new();

impl Inventory {
    pub fn of(&self, kind: Kind) -> &[Resource] {
        match self.resources.get(&kind) {
            None => &EMPTY,
            Some(Stock::Built(resources)) => resources,
            Some(Stock::Frozen { frozen, built }) => {
                built.get_or_init(|| frozen.iter().map(Frozen::thaw).collect())
            }
        }
    }

    /// The resources of `kind`, while they are frozen and not yet built as a whole, in parts of
    /// `size`, each its own inventory: a table of this kind alone builds its batch a part at a
    /// time, with at most one part's JSON trees in memory.
    pub fn frozen_parts(
        &self,
        kind: Kind,
        size: usize,
    ) -> Option<impl Iterator<Item = Inventory> + '_> {
        match self.resources.get(&kind) {
            Some(Stock::Frozen { frozen, built }) if built.get().is_none() => {
                Some(frozen.chunks(size).map(move |part| {
                    let mut inventory = Inventory::default();
                    for resource in part.iter().map(Frozen::thaw) {
                        inventory.push(key_of(&resource), Held::Built(resource));
                    }
                    inventory
                }))
            }
            _ => None,
        }
    }

    /// Adds a resource after those of its kind (keys come in order).
    fn push(&mut self, key: Key, held: Held) {
        let kind = held.kind();
        let stock = self
            .resources
            .entry(kind)
            .or_insert_with(|| Stock::Built(Vec::new()));
        self.index.entry(kind).or_default().insert(key, stock.len());
        match (stock, held) {
            (Stock::Built(list), Held::Built(resource)) => list.push(resource),
            (Stock::Frozen { frozen, .. }, Held::Frozen(resource)) => frozen.push(resource),
            (Stock::Frozen { frozen, .. }, Held::Built(resource)) => {
                frozen.push(Frozen::of(&resource))
            }
            // The kind's first frozen resource: those before it are frozen too.
            (stock @ Stock::Built(_), Held::Frozen(resource)) => {
                let Stock::Built(list) = std::mem::replace(stock, Stock::Built(Vec::new())) else {
                    unreachable!("matched above")
                };
                let mut frozen: Vec<Frozen> = list.iter().map(Frozen::of).collect();
                frozen.push(resource);
                *stock = Stock::Frozen {
                    frozen,
                    built: OnceLock::new(),
                };
            }
        }
    }

    /// The resource of `kind` with this id in this account and region.
    pub fn get(&self, kind: Kind, account_id: &str, region: &str, id: &str) -> Option<&Resource> {
        let key = (account_id.to_string(), region.to_string(), id.to_string());
        let i = *self.index.get(&kind)?.get(&key)?;
        self.of(kind).get(i)
    }

    pub fn len(&self) -> usize {
        self.resources.values().map(Stock::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Collects resources from many files. A resource seen more than once (same kind, account,
/// region and id) keeps one record, chosen by rules that never lose evidence and never depend on
/// file names silently:
///
/// 1. of two AWS Config captures taken at different times, the newer;
/// 2. else a record that the other contains (every value it has, the other has too) adds nothing
///    and loses, without a note: `aws iam list-policies` output never replaces the policy
///    documents of `get-account-authorization-details`;
/// 3. else the two conflict, and a note names both files and the one kept: the AWS Config
///    capture over `aws` CLI output, else the record with more values, else the one loaded last
///    (files are read in path order).
#[derive(Default)]
pub struct InventoryBuilder {
    resources: BTreeMap<(Kind, Key), Entry>,
    /// For [`merge_from`](Self::merge_from): which file set each field last.
    merged_fields: HashMap<((Kind, Key), String), PathBuf>,
    notes: BTreeMap<String, usize>,
    /// The kinds kept (None: all): loading for a query keeps what its tables read.
    only: Option<BTreeSet<Kind>>,
}

/// A resource, built or frozen.
enum Held {
    Built(Resource),
    Frozen(Frozen),
}

impl Held {
    fn kind(&self) -> Kind {
        match self {
            Held::Built(r) => r.kind,
            Held::Frozen(f) => f.kind,
        }
    }

    fn key(&self) -> Key {
        match self {
            Held::Built(r) => key_of(r),
            Held::Frozen(f) => f.key(),
        }
    }
}

/// A resource and the file it came from (`None`: not from a file, e.g. live AWS).
struct Entry {
    held: Held,
    source: Option<PathBuf>,
}

impl Entry {
    /// The resource, built (once) if it was frozen.
    fn resource(&mut self) -> &mut Resource {
        if let Held::Frozen(f) = &self.held {
            self.held = Held::Built(f.thaw());
        }
        match &mut self.held {
            Held::Built(r) => r,
            Held::Frozen(_) => unreachable!("built above"),
        }
    }

    fn shown(&self) -> String {
        self.source
            .as_ref()
            .map_or("(not from a file)".to_string(), |p| p.display().to_string())
    }
}

/// Whether the `new` record replaces the `old` one of the same resource, and when they
/// conflict, why the winner won (see [`InventoryBuilder`]).
fn replaces(old: &Resource, new: &Resource) -> (bool, Option<&'static str>) {
    if let (Some(a), Some(b)) = (old.captured_at, new.captured_at)
        && a != b
    {
        return (b > a, None);
    }
    if contains(&new.data, &old.data) {
        return (true, None);
    }
    if contains(&old.data, &new.data) {
        return (false, None);
    }
    match (old.captured_at.is_some(), new.captured_at.is_some()) {
        (true, false) => return (false, Some("the AWS Config capture")),
        (false, true) => return (true, Some("the AWS Config capture")),
        _ => {}
    }
    match values(&old.data).cmp(&values(&new.data)) {
        std::cmp::Ordering::Greater => (false, Some("the record with more values")),
        std::cmp::Ordering::Less => (true, Some("the record with more values")),
        std::cmp::Ordering::Equal => (true, Some("the one loaded last")),
    }
}

/// Whether `big` holds every value of `small` (nulls count as absent; lists element by element).
fn contains(big: &Value, small: &Value) -> bool {
    match (big, small) {
        (_, Value::Null) => true,
        (Value::Object(b), Value::Object(s)) => s
            .iter()
            .all(|(k, v)| v.is_null() || b.get(k).is_some_and(|bv| contains(bv, v))),
        (Value::Array(b), Value::Array(s)) => {
            b.len() == s.len() && b.iter().zip(s).all(|(bv, sv)| contains(bv, sv))
        }
        (b, s) => b == s,
    }
}

/// How many non-null scalar values a record holds.
fn values(v: &Value) -> usize {
    match v {
        Value::Null => 0,
        Value::Object(m) => m.values().map(values).sum(),
        Value::Array(a) => a.iter().map(values).sum(),
        _ => 1,
    }
}

impl InventoryBuilder {
    /// A builder that keeps only resources of `kinds` (see [`crate::tables::kinds_read`]).
    pub fn reading(kinds: BTreeSet<Kind>) -> InventoryBuilder {
        InventoryBuilder {
            only: Some(kinds),
            ..InventoryBuilder::default()
        }
    }

    /// Whether resources of `kind` are kept.
    pub fn wants(&self, kind: Kind) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(&kind))
    }

    /// The top-level `aws` CLI output keys of kinds not kept: a file's values under them are
    /// checked for syntax and not built ([`crate::sources::parse`]).
    pub fn unwanted_keys(&self) -> HashSet<&'static str> {
        // Asked once per file: a builder keeping everything has none, computed at no cost.
        if self.only.is_none() {
            return HashSet::new();
        }
        let wanted: HashSet<&str> = Kind::ALL
            .iter()
            .filter(|k| self.wants(**k))
            .flat_map(|k| k.output_keys())
            .collect();
        Kind::ALL
            .iter()
            .flat_map(|k| k.output_keys())
            .filter(|key| !wanted.contains(key))
            .collect()
    }

    /// The top-level `aws` CLI output keys whose resources are frozen as the file is parsed
    /// ([`crate::sources::parse`]): a list of one kept kind, other than IAM's (their policy
    /// documents are decoded on load, [`crate::sources::decode_iam_documents`]).
    pub fn frozen_keys(&self) -> HashMap<&'static str, Kind> {
        let mut keys = HashMap::new();
        let mut shared = HashSet::new();
        for &kind in Kind::ALL {
            let key = match kind.descriptor().output {
                CliOutput::Reservations => "Reservations",
                CliOutput::List(key) => key,
                CliOutput::One(_) | CliOutput::Fields(_) => continue,
            };
            if keys.insert(key, kind).is_some() {
                shared.insert(key);
            }
        }
        keys.retain(|key, kind| {
            !shared.contains(key) && self.wants(*kind) && !matches!(kind, Kind::Role | Kind::Policy)
        });
        keys
    }

    /// Adds a resource that comes from no file.
    pub fn add(&mut self, resource: Resource) {
        self.insert(resource, None);
    }

    /// Adds a resource read from the file `source` (as shown to the user).
    pub fn add_from(&mut self, source: &Path, resource: Resource) {
        self.insert(resource, Some(source.to_path_buf()));
    }

    /// Adds a frozen resource read from the file `source`.
    pub fn add_frozen_from(&mut self, source: &Path, resource: Frozen) {
        self.hold(Held::Frozen(resource), Some(source.to_path_buf()));
    }

    fn insert(&mut self, resource: Resource, source: Option<PathBuf>) {
        self.hold(Held::Built(resource), source);
    }

    fn hold(&mut self, held: Held, source: Option<PathBuf>) {
        if !self.wants(held.kind()) {
            return;
        }
        let key = (held.kind(), held.key());
        let mut new = Entry { held, source };
        let Some(old) = self.resources.get_mut(&key) else {
            self.resources.insert(key, new);
            return;
        };
        let (replace, conflict) = replaces(old.resource(), new.resource());
        let note = conflict.map(|why| {
            let (old_file, new_file) = (old.shown(), new.shown());
            let r = old.resource();
            let files = if old_file == new_file {
                format!("{old_file} holds two different records of it")
            } else {
                format!("{old_file} and {new_file} hold different records of it")
            };
            let kept = if replace { new_file } else { old_file };
            format!(
                "{:?} {} ({}, {}): {files}; kept the one from {kept} ({why})",
                r.kind,
                excerpt(&r.id()),
                excerpt(&r.account_id),
                excerpt(&r.region),
            )
        });
        if replace {
            *old = new;
        }
        if let Some(note) = note {
            self.note(note);
        }
    }

    /// Adds every resource of `inventory`, as [`add`](Self::add) does.
    pub fn extend(&mut self, inventory: &Inventory) {
        for stock in inventory.resources.values() {
            match stock {
                Stock::Built(resources) => resources.iter().for_each(|r| self.add(r.clone())),
                Stock::Frozen { frozen, .. } => frozen
                    .iter()
                    .for_each(|f| self.hold(Held::Frozen(f.clone()), None)),
            }
        }
    }

    /// Adds fields to a resource that another file may already have started (the two
    /// `get-ebs-*` outputs that make one account-region's EBS defaults). A field given twice
    /// with different values keeps the value loaded last, with a note naming the file.
    pub fn merge_from(&mut self, source: &Path, resource: Resource) {
        if !self.wants(resource.kind) {
            return;
        }
        let key = (resource.kind, key_of(&resource));
        let Value::Object(fields) = resource.data else {
            self.add_from(source, resource);
            return;
        };
        let mut notes = Vec::new();
        for (field, value) in &fields {
            let set_by = self
                .merged_fields
                .insert((key.clone(), field.clone()), source.to_path_buf());
            let before = match self.resources.get_mut(&key) {
                Some(entry) => entry.resource().data.get(field),
                None => None,
            };
            if let (Some(before), Some(set_by)) = (before, set_by)
                && before != value
            {
                notes.push(format!(
                    "{:?} ({}, {}): {} and {} set {field} differently; kept the value from {}, loaded last",
                    resource.kind,
                    excerpt(&resource.account_id),
                    excerpt(&resource.region),
                    set_by.display(),
                    source.display(),
                    source.display()
                ));
            }
        }
        match self.resources.get_mut(&key).map(Entry::resource) {
            Some(Resource {
                data: Value::Object(old),
                ..
            }) => old.extend(fields),
            _ => {
                self.resources.insert(
                    key,
                    Entry {
                        held: Held::Built(Resource {
                            data: Value::Object(fields),
                            ..resource
                        }),
                        source: Some(source.to_path_buf()),
                    },
                );
            }
        }
        notes.into_iter().for_each(|n| self.note(n));
    }

    /// A note for the user, counted: the same note from many items is reported once.
    pub fn note(&mut self, note: String) {
        *self.notes.entry(note).or_default() += 1;
    }

    pub fn finish(self) -> Inventory {
        let mut inventory = Inventory::default();
        for ((_, key), Entry { held, .. }) in self.resources {
            inventory.push(key, held);
        }
        inventory.notes = self
            .notes
            .into_iter()
            .map(|(note, n)| {
                if n > 1 {
                    format!("{note} (×{n})")
                } else {
                    note
                }
            })
            .collect();
        inventory
    }
}

fn key_of(resource: &Resource) -> Key {
    (
        resource.account_id.clone(),
        resource.region.clone(),
        resource.id(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(extra: Value) -> Resource {
        let mut data = json!({"PolicyName": "admin", "Arn": "arn:aws:iam::111122223333:policy/admin", "DefaultVersionId": "v1"});
        data.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        Resource::new(Kind::Policy, "111122223333", "global", data)
    }

    #[test]
    fn a_poorer_record_never_replaces_a_richer_one() {
        let documents = json!({"PolicyVersionList": [{"VersionId": "v1", "IsDefaultVersion": true, "Document": {"Statement": []}}]});
        for gaad_first in [true, false] {
            let mut b = InventoryBuilder::default();
            let gaad = (Path::new("a/gaad.json"), policy(documents.clone()));
            let list = (Path::new("a/list-policies.json"), policy(json!({})));
            let (first, second) = if gaad_first {
                (gaad, list)
            } else {
                (list, gaad)
            };
            b.add_from(first.0, first.1);
            b.add_from(second.0, second.1);
            let inv = b.finish();
            assert_eq!(inv.of(Kind::Policy), [policy(documents.clone())]);
            assert!(inv.notes.is_empty(), "{:?}", inv.notes);
        }
    }

    #[test]
    fn conflicting_records_are_noted_and_the_winner_is_deterministic() {
        let instance = |tokens: &str, extra: Value| {
            let mut data = json!({"InstanceId": "i-1", "MetadataOptions": {"HttpTokens": tokens}});
            data.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            Resource::new(Kind::Instance, "111122223333", "us-east-1", data)
        };
        let load = |records: &[(&str, &Resource)]| {
            let mut b = InventoryBuilder::default();
            for (file, r) in records {
                b.add_from(Path::new(file), (*r).clone());
            }
            b.finish()
        };
        // Equal richness: the one loaded last, and a note naming both files.
        let (a, b) = (
            instance("optional", json!({})),
            instance("required", json!({})),
        );
        let inv = load(&[("x/a.json", &a), ("x/b.json", &b)]);
        assert_eq!(inv.of(Kind::Instance), [b.clone()]);
        assert_eq!(
            inv.notes,
            [
                "Instance i-1 (111122223333, us-east-1): x/a.json and x/b.json hold different records of it; kept the one from x/b.json (the one loaded last)"
            ]
        );
        // More values win, whichever file comes first.
        let rich = instance("optional", json!({"ImageId": "ami-1"}));
        for order in [
            [("x/a.json", &rich), ("x/b.json", &b)],
            [("x/b.json", &b), ("x/a.json", &rich)],
        ] {
            let inv = load(&order);
            assert_eq!(inv.of(Kind::Instance), [rich.clone()]);
            assert_eq!(inv.notes.len(), 1, "{:?}", inv.notes);
            assert!(
                inv.notes[0].contains("x/a.json")
                    && inv.notes[0].contains("x/b.json")
                    && inv.notes[0]
                        .ends_with("kept the one from x/a.json (the record with more values)"),
                "{:?}",
                inv.notes
            );
        }
        // An AWS Config capture beats CLI output it conflicts with, with a note; of two
        // captures, the newer wins, without one.
        let mut captured = instance("required", json!({}));
        captured.captured_at = Some(1);
        let inv = load(&[("x/config.json", &captured), ("x/cli.json", &rich)]);
        assert_eq!(inv.of(Kind::Instance), [captured.clone()]);
        assert!(
            inv.notes[0].ends_with("kept the one from x/config.json (the AWS Config capture)"),
            "{:?}",
            inv.notes
        );
        let mut newer = instance("optional", json!({}));
        newer.captured_at = Some(2);
        let inv = load(&[("x/new.json", &newer), ("x/old.json", &captured)]);
        assert_eq!(inv.of(Kind::Instance), [newer]);
        assert!(inv.notes.is_empty(), "{:?}", inv.notes);
    }

    #[test]
    fn ebs_defaults_given_twice_differently_are_noted() {
        let defaults = |v: Value| Resource::new(Kind::EbsDefaults, "111122223333", "us-east-1", v);
        let mut b = InventoryBuilder::default();
        b.merge_from(
            Path::new("a.json"),
            defaults(json!({"EbsEncryptionByDefault": true})),
        );
        b.merge_from(Path::new("b.json"), defaults(json!({"KmsKeyId": "k"})));
        b.merge_from(
            Path::new("c.json"),
            defaults(json!({"EbsEncryptionByDefault": false})),
        );
        let inv = b.finish();
        assert_eq!(
            inv.of(Kind::EbsDefaults)[0].data,
            json!({"EbsEncryptionByDefault": false, "KmsKeyId": "k"})
        );
        assert_eq!(
            inv.notes,
            [
                "EbsDefaults (111122223333, us-east-1): a.json and c.json set EbsEncryptionByDefault differently; kept the value from c.json, loaded last"
            ]
        );
    }
}
