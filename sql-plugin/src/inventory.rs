//! An inventory: the AWS resources of one or more accounts and regions, each in the canonical
//! shape (the AWS API's PascalCase JSON, as the `aws` CLI prints it), whatever source it came
//! from. Tables read only this.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Error;
use crate::sources;
use crate::text::excerpt;
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
        self.resources.get(&kind)?.get(i)
    }

    pub fn len(&self) -> usize {
        self.resources.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Loads a file or a directory tree of `.json` files. `aws` CLI output must sit at
    /// `<account_id>/<region>/<name>.json` below `path`; AWS Config items say where they are from.
    ///
    /// The walk below a directory follows no symlink (what a symlink inside the tree points to is
    /// read at its own path; what it points to outside is not read) and skips what is not a
    /// regular file (a FIFO named `x.json`), each with a note. A file over [`MAX_FILE_BYTES`] is
    /// an error.
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
            let root = path.canonicalize().map_err(io)?;
            let mut files = Vec::new();
            collect_json_files(path, &root, &mut files, builder)?;
            files.sort();
            (path.to_path_buf(), files)
        } else {
            (
                path.parent().unwrap_or(Path::new("")).to_path_buf(),
                vec![path.to_path_buf()],
            )
        };
        for file in files {
            let text = read_bounded(&file, MAX_FILE_BYTES)?;
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

/// The largest inventory file posture reads: 1 GiB. Parsed JSON takes several times its size in
/// memory; a larger file is refused with an error naming it, before it is read.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// A file's text, refused when it holds more than `limit` bytes (checked before reading, and
/// again while reading, for files that grow or report no size).
fn read_bounded(path: &Path, limit: u64) -> Result<String, Error> {
    use std::io::Read;
    let io = |e: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let too_large = |bytes: u64| Error::TooLarge {
        path: path.to_path_buf(),
        bytes,
        limit,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(too_large(read));
    }
    String::from_utf8(bytes).map_err(|e| {
        io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8: {}", e.utf8_error()),
        ))
    })
}

/// The `.json` files below `dir`, through real directories only: a symlink is not followed
/// (what it points to inside `root`, the canonical inventory root, is reached at its own path;
/// outside, it is not read), and what is not a regular file is skipped. Both give a note when
/// they are named `*.json` or are (links to) directories.
fn collect_json_files(
    dir: &Path,
    root: &Path,
    out: &mut Vec<PathBuf>,
    builder: &mut InventoryBuilder,
) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        let meta = std::fs::symlink_metadata(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        let file_type = meta.file_type();
        let named_json = is_json(&path);
        if file_type.is_dir() {
            collect_json_files(&path, root, out, builder)?;
        } else if file_type.is_symlink() {
            let target = std::fs::canonicalize(&path);
            let why = match &target {
                Err(_) => "it does not resolve (dangling, or a loop)".to_string(),
                Ok(t) if !(named_json || t.is_dir()) => continue,
                Ok(t) if t.starts_with(root) && (t.is_dir() || is_json(t)) => format!(
                    "it points to {}, inside the inventory, which is read at its own path",
                    t.display()
                ),
                Ok(t) if t.starts_with(root) => {
                    format!("it points to {}, which is not named *.json", t.display())
                }
                Ok(t) => format!("it points out of the inventory, to {}", t.display()),
            };
            builder.note(format!(
                "{}: a symlink, not followed: {why}",
                path.display()
            ));
        } else if !file_type.is_file() {
            if named_json {
                builder.note(format!(
                    "{}: skipped: not a regular file ({})",
                    path.display(),
                    special_file(&file_type)
                ));
            }
        } else if named_json {
            out.push(path);
        }
    }
    Ok(())
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// What a file that is neither a regular file, a directory nor a symlink is.
fn special_file(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
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
}

/// A resource and the file it came from (`None`: not from a file, e.g. live AWS).
struct Entry {
    resource: Resource,
    source: Option<PathBuf>,
}

impl Entry {
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
    /// Adds a resource that comes from no file.
    pub fn add(&mut self, resource: Resource) {
        self.insert(resource, None);
    }

    /// Adds a resource read from the file `source` (as shown to the user).
    pub fn add_from(&mut self, source: &Path, resource: Resource) {
        self.insert(resource, Some(source.to_path_buf()));
    }

    fn insert(&mut self, resource: Resource, source: Option<PathBuf>) {
        let key = (resource.kind, key_of(&resource));
        let new = Entry { resource, source };
        let Some(old) = self.resources.get_mut(&key) else {
            self.resources.insert(key, new);
            return;
        };
        let (replace, conflict) = replaces(&old.resource, &new.resource);
        let note = conflict.map(|why| {
            let r = &old.resource;
            let (old_file, new_file) = (old.shown(), new.shown());
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
        for resource in inventory.resources.values().flatten() {
            self.add(resource.clone());
        }
    }

    /// Adds fields to a resource that another file may already have started (the two
    /// `get-ebs-*` outputs that make one account-region's EBS defaults). A field given twice
    /// with different values keeps the value loaded last, with a note naming the file.
    pub fn merge_from(&mut self, source: &Path, resource: Resource) {
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
            let before = match self.resources.get(&key) {
                Some(Entry {
                    resource: Resource { data, .. },
                    ..
                }) => data.get(field),
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
        match self.resources.get_mut(&key) {
            Some(Entry {
                resource:
                    Resource {
                        data: Value::Object(old),
                        ..
                    },
                ..
            }) => old.extend(fields),
            _ => {
                self.resources.insert(
                    key,
                    Entry {
                        resource: Resource {
                            data: Value::Object(fields),
                            ..resource
                        },
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
        for ((kind, key), Entry { resource, .. }) in self.resources {
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

    /// A fresh directory for one test, removed first if a previous run left it.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("posture-inv-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const VPCS: &str = r#"{"Vpcs": [{"VpcId": "vpc-1"}]}"#;

    /// An inventory with one VPC file at `<root>/111122223333/us-east-1/vpcs.json`.
    fn with_one_vpc(name: &str) -> (PathBuf, PathBuf) {
        let root = scratch(name);
        let region = root.join("111122223333/us-east-1");
        std::fs::create_dir_all(&region).unwrap();
        std::fs::write(region.join("vpcs.json"), VPCS).unwrap();
        (root, region)
    }

    /// Loads on another thread, so that a hang fails the test instead of stalling it.
    fn load_within_seconds(root: &Path) -> Result<Inventory, Error> {
        let (tx, rx) = std::sync::mpsc::channel();
        let root = root.to_path_buf();
        std::thread::spawn(move || tx.send(Inventory::load(&root)));
        rx.recv_timeout(std::time::Duration::from_secs(20))
            .expect("loading finishes within seconds")
    }

    #[test]
    fn symlink_loops_are_not_walked_round() {
        let (root, region) = with_one_vpc("loop");
        std::os::unix::fs::symlink("..", region.join("up")).unwrap();
        std::os::unix::fs::symlink("../..", root.join("111122223333/up2")).unwrap();
        std::os::unix::fs::symlink("self.json", region.join("self.json")).unwrap();
        let inv = load_within_seconds(&root).unwrap();
        assert_eq!(inv.of(Kind::Vpc).len(), 1);
        let up = region.join("up");
        assert!(
            inv.notes.iter().any(|n| n.starts_with(&format!(
                "{}: a symlink, not followed: it points to {}, inside the inventory",
                up.display(),
                root.canonicalize().unwrap().join("111122223333").display()
            ))),
            "{:?}",
            inv.notes
        );
        assert!(
            inv.notes.iter().any(|n| n
                == &format!(
                    "{}: a symlink, not followed: it does not resolve (dangling, or a loop)",
                    region.join("self.json").display()
                )),
            "{:?}",
            inv.notes
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn symlinks_out_of_the_inventory_are_not_followed() {
        let (root, region) = with_one_vpc("out");
        let outside = scratch("outside");
        let outside_region = outside.join("111122223333/eu-west-1");
        std::fs::create_dir_all(&outside_region).unwrap();
        std::fs::write(
            outside_region.join("vpcs.json"),
            r#"{"Vpcs": [{"VpcId": "vpc-outside"}]}"#,
        )
        .unwrap();
        std::os::unix::fs::symlink(&outside_region, root.join("111122223333/eu-west-1")).unwrap();
        std::os::unix::fs::symlink(outside_region.join("vpcs.json"), region.join("more.json"))
            .unwrap();
        let inv = load_within_seconds(&root).unwrap();
        let ids: Vec<String> = inv.of(Kind::Vpc).iter().map(Resource::id).collect();
        assert_eq!(ids, ["vpc-1"]);
        let out = outside_region.canonicalize().unwrap();
        assert_eq!(
            inv.notes,
            vec![
                format!(
                    "{}: a symlink, not followed: it points out of the inventory, to {}",
                    root.join("111122223333/eu-west-1").display(),
                    out.display()
                ),
                format!(
                    "{}: a symlink, not followed: it points out of the inventory, to {}",
                    region.join("more.json").display(),
                    out.join("vpcs.json").display()
                ),
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }

    #[test]
    fn a_fifo_named_json_is_skipped_with_a_note() {
        let (root, region) = with_one_vpc("fifo");
        let fifo = region.join("x.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let inv = load_within_seconds(&root).unwrap();
        assert_eq!(inv.of(Kind::Vpc).len(), 1);
        assert_eq!(
            inv.notes,
            vec![format!(
                "{}: skipped: not a regular file (a FIFO)",
                fifo.display()
            )]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn files_over_the_size_limit_are_refused_by_name() {
        let (root, region) = with_one_vpc("size");
        let file = region.join("vpcs.json");
        let size = VPCS.len() as u64;
        assert_eq!(read_bounded(&file, size).unwrap(), VPCS);
        let err = read_bounded(&file, size - 1).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "{}: {size} bytes, over the limit of {} bytes for one inventory file; split it",
                file.display(),
                size - 1
            )
        );
        assert_eq!(MAX_FILE_BYTES, 1 << 30, "the limit the README documents");
        std::fs::remove_dir_all(&root).unwrap();
    }

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
