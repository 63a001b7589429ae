//! An inventory: the AWS resources of one or more accounts and regions, each in the canonical
//! shape (the AWS API's PascalCase JSON, as the `aws` CLI prints it), whatever source it came
//! from. Tables read only this.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Error;
use crate::sources;
use crate::value::Json;

/// The kinds of resource an inventory holds. A table reads one or more kinds.
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
    Role,
    Policy,
    Trail,
    TrailStatus,
}

impl Kind {
    /// The field that identifies a resource of this kind within an account and region.
    fn id(self, data: &Value) -> String {
        let field = match self {
            Kind::Instance => "InstanceId",
            Kind::SecurityGroup => "GroupId",
            Kind::SecurityGroupRule => "SecurityGroupRuleId",
            Kind::NetworkInterface => "NetworkInterfaceId",
            Kind::Volume => "VolumeId",
            Kind::Snapshot | Kind::SnapshotPermissions => "SnapshotId",
            Kind::Image => "ImageId",
            Kind::EbsDefaults => return String::new(),
            Kind::LaunchTemplateVersion => {
                let version = data
                    .at("VersionNumber")
                    .map(Value::to_string)
                    .unwrap_or_default();
                return format!(
                    "{}:{version}",
                    data.str_at("LaunchTemplateId").unwrap_or_default()
                );
            }
            Kind::Vpc => "VpcId",
            Kind::Subnet => "SubnetId",
            Kind::NetworkAcl => "NetworkAclId",
            Kind::RouteTable => "RouteTableId",
            Kind::FlowLog => "FlowLogId",
            Kind::Role => "Arn",
            Kind::Policy => "Arn",
            Kind::Trail | Kind::TrailStatus => "Name",
        };
        data.str_at(field).unwrap_or_default().to_string()
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

type Key = (String, String, String);

/// Resources by kind, each list ordered by (account, region, id).
#[derive(Debug, Default)]
pub struct Inventory {
    resources: HashMap<Kind, Vec<Resource>>,
    index: HashMap<Kind, HashMap<Key, usize>>,
    /// Things the user should know that did not stop loading (ignored Config resource types,
    /// deleted items), one sentence each.
    pub notes: Vec<String>,
}

static EMPTY: Vec<Resource> = Vec::new();

impl Inventory {
    pub fn of(&self, kind: Kind) -> &[Resource] {
        self.resources.get(&kind).unwrap_or(&EMPTY)
    }

    /// The resource of `kind` with this id in this account and region.
    pub fn get(&self, kind: Kind, account_id: &str, region: &str, id: &str) -> Option<&Resource> {
        let key = (account_id.to_string(), region.to_string(), id.to_string());
        let i = *self.index.get(&kind)?.get(&key)?;
        Some(&self.resources[&kind][i])
    }

    pub fn len(&self) -> usize {
        self.resources.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Loads a file or a directory tree of `.json` files. `aws` CLI output must sit at
    /// `<account_id>/<region>/<name>.json` below `path`; AWS Config items say where they are from.
    pub fn load(path: &Path) -> Result<Inventory, Error> {
        let mut builder = InventoryBuilder::default();
        Inventory::load_into(path, &mut builder)?;
        Ok(builder.finish())
    }

    /// [`Inventory::load`] into a builder that may hold other resources already.
    pub fn load_into(path: &Path, builder: &mut InventoryBuilder) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        let (root, files) = if meta.is_dir() {
            let mut files = Vec::new();
            collect_json_files(path, &mut files)?;
            files.sort();
            (path.to_path_buf(), files)
        } else {
            (
                path.parent().unwrap_or(Path::new("")).to_path_buf(),
                vec![path.to_path_buf()],
            )
        };
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(|e| Error::Io {
                path: file.clone(),
                source: e,
            })?;
            let relative = file.strip_prefix(&root).unwrap_or(&file);
            sources::load_file(relative, &file, &text, builder)?;
        }
        Ok(())
    }

    /// Loads in-memory files, given by their path below the inventory root (the bundled demo).
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a Path, &'a str)>,
    ) -> Result<Inventory, Error> {
        let mut builder = InventoryBuilder::default();
        for (relative, text) in files {
            sources::load_file(relative, relative, text, &mut builder)?;
        }
        Ok(builder.finish())
    }

    /// The bundled demo account (`demo/` in the repository), compiled into the binary.
    pub fn demo() -> Inventory {
        let files: Vec<(&Path, &str)> = crate::demo::files().collect();
        Inventory::from_files(files).expect("the bundled demo inventory loads (tested)")
    }
}

fn collect_json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect_json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// Collects resources from many files; a resource seen twice keeps its newest capture.
#[derive(Default)]
pub struct InventoryBuilder {
    resources: BTreeMap<(Kind, Key), Resource>,
    notes: BTreeMap<String, usize>,
}

impl InventoryBuilder {
    pub fn add(&mut self, resource: Resource) {
        let key = (
            resource.kind,
            (
                resource.account_id.clone(),
                resource.region.clone(),
                resource.id(),
            ),
        );
        match self.resources.get(&key) {
            Some(old) if old.captured_at > resource.captured_at => {}
            _ => {
                self.resources.insert(key, resource);
            }
        }
    }

    /// Adds every resource of `inventory`, as [`add`](Self::add) does.
    pub fn extend(&mut self, inventory: &Inventory) {
        for resource in inventory.resources.values().flatten() {
            self.add(resource.clone());
        }
    }

    /// Adds fields to a resource that another file may already have started (the two
    /// `get-ebs-*` outputs that make one account-region's EBS defaults).
    pub fn merge(&mut self, resource: Resource) {
        let key = (
            resource.kind,
            (
                resource.account_id.clone(),
                resource.region.clone(),
                resource.id(),
            ),
        );
        match (self.resources.get_mut(&key), resource.data) {
            (Some(old), Value::Object(fields)) if old.data.is_object() => {
                old.data.as_object_mut().expect("checked").extend(fields);
            }
            (_, data) => {
                self.resources.insert(key, Resource { data, ..resource });
            }
        }
    }

    /// A note for the user, counted: the same note from many items is reported once.
    pub fn note(&mut self, note: String) {
        *self.notes.entry(note).or_default() += 1;
    }

    pub fn finish(self) -> Inventory {
        let mut inventory = Inventory::default();
        for ((kind, key), resource) in self.resources {
            let list = inventory.resources.entry(kind).or_default();
            inventory
                .index
                .entry(kind)
                .or_default()
                .insert(key, list.len());
            list.push(resource);
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
