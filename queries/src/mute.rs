//! Mutes: alarms someone has accepted, each with a reason, applied the same way by `posture
//! check --mute FILE` and by the AWS Config rules (which read the same file from an SSM
//! parameter). Two sources:
//!
//! - a TOML file of `[[mute]]` entries: `control` (an id or a glob such as `*`), `resource` (an
//!   id, an ARN or a glob over either), optional `account`, `region` (globs) and `tags` (each
//!   `key = value` must be on the resource; a value `*` only asks for the key), a mandatory
//!   `reason`, an optional `expires` (a date: the mute holds through that day, UTC) and
//!   `owner`;
//! - the resource's own tags: `posture:mute` lists control ids (commas or spaces; `*` for all)
//!   and `posture:mute-reason` gives the reason.
//!
//! Only findings that do not pass are muted (alarms, and findings whose evidence could not be
//! verified); a muted finding keeps its reason and is never dropped.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Error, Finding, Status};

/// The tag listing the control ids muted on a resource.
pub const MUTE_TAG: &str = "posture:mute";
/// The tag giving the reason for [`MUTE_TAG`].
pub const MUTE_REASON_TAG: &str = "posture:mute-reason";

/// Why a finding is muted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mute {
    pub reason: String,
    /// `YYYY-MM-DD`: the last day the mute holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Where the mute is written: `FILE:LINE`, or the resource's `posture:mute` tag.
    pub by: String,
}

impl Mute {
    /// The AWS Config annotation of a muted resource (COMPLIANT).
    pub fn annotation(&self) -> String {
        match &self.expires {
            Some(date) => format!("muted: {} (until {date})", self.reason),
            None => format!("muted: {}", self.reason),
        }
    }
}

/// A mute file's entries (empty: only the tags mute).
#[derive(Debug, Default)]
pub struct Mutes {
    entries: Vec<Entry>,
}

#[derive(Debug)]
struct Entry {
    /// `FILE:LINE` of its `[[mute]]`.
    at: String,
    control: String,
    resource: String,
    account: Option<String>,
    region: Option<String>,
    tags: BTreeMap<String, String>,
    reason: String,
    expires: Option<NaiveDate>,
    owner: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    mute: Vec<toml::Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    control: String,
    resource: String,
    account: Option<String>,
    region: Option<String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    reason: Option<String>,
    expires: Option<toml::Value>,
    owner: Option<String>,
}

impl Mutes {
    /// Parses a mute file; `source` names it in errors and in each mute (`source:LINE`).
    pub fn parse(text: &str, source: &str) -> Result<Mutes, Error> {
        let line = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let error =
            |line: usize, message: String| Error::Mutes(format!("{source}:{line}: {message}"));
        let file: File = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(1, |s| line(s.start));
            error(at, e.message().to_string())
        })?;
        let mut entries = Vec::new();
        for spanned in file.mute {
            let at = line(spanned.span().start);
            let raw = spanned.into_inner();
            let entry_error = |m: String| error(at, m);
            let reason = raw
                .reason
                .filter(|r| !r.trim().is_empty())
                .ok_or_else(|| entry_error("a mute needs a reason".into()))?;
            if !crate::catalogue().iter().any(|c| glob(&raw.control, &c.id)) {
                return Err(entry_error(format!(
                    "control `{}` names no posture control (an id, or a glob such as `*`)",
                    raw.control
                )));
            }
            if raw.resource.is_empty() {
                return Err(entry_error(
                    "resource is empty (an id, an ARN or a glob)".into(),
                ));
            }
            let expires = raw
                .expires
                .map(|v| {
                    date(&v).ok_or_else(|| {
                        let given = v
                            .as_str()
                            .map_or_else(|| format!("a {}", v.type_str()), |s| format!("{s:?}"));
                        entry_error(format!(
                            "expires is {given}: expected a date such as 2027-03-31"
                        ))
                    })
                })
                .transpose()?;
            entries.push(Entry {
                at: format!("{source}:{at}"),
                control: raw.control,
                resource: raw.resource,
                account: raw.account,
                region: raw.region,
                tags: raw.tags,
                reason,
                expires,
                owner: raw.owner,
            });
        }
        Ok(Mutes { entries })
    }

    /// Mutes each of `findings` that does not pass, with the first entry in force on `today`
    /// that matches it, else its resource's `posture:mute` tag. Returns warnings: entries that
    /// have expired and would have muted a finding, and tag mutes without a reason (not
    /// applied).
    pub fn apply(&self, findings: &mut [Finding], today: NaiveDate) -> Vec<String> {
        let mut warnings = Vec::new();
        for finding in findings.iter_mut() {
            if !(finding.status == Status::Alarm || finding.unverified) {
                continue;
            }
            if let Some(mute) = self.mute_of(finding, today, &mut warnings) {
                finding.status = Status::Muted;
                finding.mute = Some(mute);
            }
        }
        warnings
    }

    fn mute_of(
        &self,
        finding: &Finding,
        today: NaiveDate,
        warnings: &mut Vec<String>,
    ) -> Option<Mute> {
        let mut warn = |warning: String| {
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        };
        for entry in self.entries.iter().filter(|e| e.matches(finding)) {
            match entry.expires {
                Some(last) if last < today => warn(format!(
                    "{}: the mute expired on {last} and no longer applies ({} {})",
                    entry.at, finding.control_id, finding.resource_id
                )),
                _ => return Some(entry.mute()),
            }
        }
        let tags = finding.tags.as_ref()?;
        let listed = tags.get(MUTE_TAG)?;
        if !listed
            .split([',', ' '])
            .any(|id| id == "*" || id == finding.control_id)
        {
            return None;
        }
        match tags.get(MUTE_REASON_TAG).filter(|r| !r.trim().is_empty()) {
            Some(reason) => Some(Mute {
                reason: reason.clone(),
                expires: None,
                owner: None,
                by: format!("tag {MUTE_TAG}"),
            }),
            None => {
                warn(format!(
                    "{}: tag {MUTE_TAG} without {MUTE_REASON_TAG}: not muted (a mute needs a reason)",
                    finding.resource_id
                ));
                None
            }
        }
    }
}

impl Entry {
    fn matches(&self, f: &Finding) -> bool {
        let optional =
            |pattern: &Option<String>, value: &str| pattern.as_ref().is_none_or(|p| glob(p, value));
        glob(&self.control, &f.control_id)
            && (glob(&self.resource, &f.resource_id) || glob(&self.resource, &f.resource))
            && optional(&self.account, &f.account_id)
            && optional(&self.region, &f.region)
            && self.tags.iter().all(|(key, want)| {
                f.tags
                    .as_ref()
                    .and_then(|t| t.get(key))
                    .is_some_and(|have| glob(want, have))
            })
    }

    fn mute(&self) -> Mute {
        Mute {
            reason: self.reason.clone(),
            expires: self.expires.map(|d| d.to_string()),
            owner: self.owner.clone(),
            by: self.at.clone(),
        }
    }
}

/// A TOML date, or a string holding one.
fn date(value: &toml::Value) -> Option<NaiveDate> {
    let text = match value {
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        toml::Value::String(s) => s.clone(),
        _ => return None,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok()
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters and `?` for
/// one; everything else is literal.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // The last `*` seen and the text position it is trying; backtrack to it on a mismatch.
    let (mut pi, mut ti, mut star) = (0, 0, None);
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    star = Some((sp, st + 1));
                    pi = sp + 1;
                    ti = st + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", ""));
        assert!(glob("i-0abc*", "i-0abc123"));
        assert!(glob(
            "arn:aws:ec2:*:instance/i-?",
            "arn:aws:ec2:eu-west-1:1:instance/i-7"
        ));
        assert!(glob("a*b*c", "axxbyybc"));
        assert!(!glob("i-0abc*", "i-0abd123"));
        assert!(!glob("i-1", "i-12"));
        assert!(!glob("a*b", "acb c"));
    }

    #[test]
    fn file_errors_name_the_line() {
        let err = |text: &str| Mutes::parse(text, "m.toml").unwrap_err().to_string();
        let no_reason = "[[mute]]\ncontrol = \"*\"\nresource = \"i-1\"\n\n[[mute]]\ncontrol = \"*\"\nresource = \"i-2\"\n";
        assert_eq!(err(no_reason), "m.toml:1: a mute needs a reason");
        let blank = "[[mute]]\ncontrol = \"*\"\nresource = \"i-1\"\nreason = \"x\"\n\n[[mute]]\ncontrol = \"*\"\nresource = \"i-2\"\nreason = \" \"\n";
        assert_eq!(err(blank), "m.toml:6: a mute needs a reason");
        let typo = "[[mute]]\ncontrol = \"ec2_instnce\"\nresource = \"i-1\"\nreason = \"x\"\n";
        assert!(err(typo).starts_with("m.toml:1: control `ec2_instnce` names no posture control"));
        let field =
            "[[mute]]\ncontrol = \"*\"\nresource = \"i-1\"\nreason = \"x\"\nreson = \"y\"\n";
        assert!(
            err(field).starts_with("m.toml:5: unknown field `reson`"),
            "{}",
            err(field)
        );
        let when =
            "[[mute]]\ncontrol = \"*\"\nresource = \"i-1\"\nreason = \"x\"\nexpires = \"soon\"\n";
        assert!(
            err(when).starts_with("m.toml:1: expires is \"soon\": expected a date"),
            "{}",
            err(when)
        );
        assert!(err("[[mute]\n").starts_with("m.toml:1: "));
    }
}
