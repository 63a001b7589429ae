//! Inventory files: a file or a directory tree of `.json` files read into an [`Inventory`],
//! each file through [`load_file`](super::load_file), and the bundled demo.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Error;
use crate::inventory::{Inventory, InventoryBuilder};

impl Inventory {
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
        // Files are read and parsed on every core (a text is dropped once parsed), and loaded
        // in path order: the first bad file in that order is the error, as on one core.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(files.len().max(1));
        let (unwanted, frozen) = (builder.unwanted_keys(), builder.frozen_keys());
        let next = AtomicUsize::new(0);
        let (parsed_tx, parsed_rx) = std::sync::mpsc::sync_channel(workers);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let (tx, next, files) = (parsed_tx.clone(), &next, &files);
                let (unwanted, frozen) = (&unwanted, &frozen);
                scope.spawn(move || {
                    while let Some(file) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let parsed = read_bounded(file, MAX_FILE_BYTES)
                            .and_then(|text| super::parse(file, &text, unwanted, frozen));
                        // The receiver is gone when loading stopped at an error.
                        if tx.send((file, parsed)).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(parsed_tx);
            let mut waiting = BTreeMap::new();
            let mut order = files.iter();
            let mut wanted = order.next();
            for (file, parsed) in parsed_rx {
                waiting.insert(file, parsed);
                while let Some(parsed) = wanted.and_then(|w| waiting.remove(w)) {
                    let file = wanted.expect("removed by it");
                    let relative = file.strip_prefix(&root).unwrap_or(file);
                    super::load_json(relative, file, parsed?, builder)?;
                    wanted = order.next();
                }
            }
            Ok(())
        })
    }

    /// Loads in-memory files, given by their path below the inventory root (the bundled demo).
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a Path, &'a str)>,
    ) -> Result<Inventory, Error> {
        let mut builder = InventoryBuilder::default();
        for (relative, text) in files {
            super::load_file(relative, relative, text, &mut builder)?;
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
#[cfg(test)]
mod tests {
    use super::*;
    use crate::Kind;
    use crate::inventory::Resource;

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

    /// Files are parsed in parallel but loaded in path order: of several bad files, the first
    /// in that order is the error, whichever parses first; everything loads from good ones.
    #[test]
    fn files_load_in_path_order_and_the_first_bad_one_is_the_error() {
        let (root, region) = with_one_vpc("order");
        for i in 0..20 {
            let vpcs = format!(r#"{{"Vpcs": [{{"VpcId": "vpc-more-{i}"}}]}}"#);
            std::fs::write(region.join(format!("more-{i:02}.json")), vpcs).unwrap();
        }
        let inventory = load_within_seconds(&root).unwrap();
        assert_eq!(inventory.of(Kind::Vpc).len(), 21);
        // A large bad file sorts first, a small one after it: the large one is the error.
        let large = format!(
            "{{\"Vpcs\": [{}{{]}}",
            "{\"VpcId\": \"vpc-x\"},".repeat(200_000)
        );
        std::fs::write(region.join("a-large.json"), large).unwrap();
        std::fs::write(region.join("z-small.json"), "{").unwrap();
        let err = load_within_seconds(&root).unwrap_err().to_string();
        assert!(err.contains("a-large.json"), "{err}");
    }

    /// Loading for some tables builds only their outputs; the others are still checked, so a
    /// broken file is an error whichever table it holds, and an unknown output still is too.
    #[test]
    fn outputs_no_queried_table_reads_are_checked_not_built() {
        let (root, region) = with_one_vpc("unwanted");
        let instances = r#"{"Reservations": [{"Instances": [{"InstanceId": "i-1"}]}]}"#;
        std::fs::write(region.join("instances.json"), instances).unwrap();
        let both = r#"{"Volumes": [{"VolumeId": "vol-1"}], "Reservations": [{"Instances": [{"InstanceId": "i-2"}]}]}"#;
        std::fs::write(region.join("both.json"), both).unwrap();
        let only_instances = || {
            let mut builder =
                InventoryBuilder::reading(crate::tables::kinds_read(["ec2_instance"]));
            Inventory::load_into(&root, &mut builder).map(|()| builder.finish())
        };
        let inventory = only_instances().unwrap();
        assert_eq!(inventory.of(Kind::Instance).len(), 2);
        assert!(inventory.of(Kind::Vpc).is_empty() && inventory.of(Kind::Volume).is_empty());
        assert_eq!(Inventory::load(&root).unwrap().of(Kind::Volume).len(), 1);

        std::fs::write(region.join("vpcs.json"), r#"{"Vpcs": [{"VpcId": "vpc-1"]}"#).unwrap();
        let err = only_instances().unwrap_err().to_string();
        assert!(err.contains("vpcs.json"), "{err}");
        std::fs::write(region.join("vpcs.json"), r#"{"Mystery": []}"#).unwrap();
        let err = only_instances().unwrap_err().to_string();
        assert!(
            err.contains("vpcs.json") && err.contains("Mystery"),
            "{err}"
        );
        std::fs::write(region.join("vpcs.json"), r#"{"Vpcs": []} trailing"#).unwrap();
        let err = only_instances().unwrap_err().to_string();
        assert!(err.contains("vpcs.json"), "{err}");
        std::fs::remove_dir_all(&root).unwrap();
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
}
