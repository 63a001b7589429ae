use super::prelude::*;

pub static TABLE: Table = Table {
    name: "vpc_managed_prefix_list_entry",
    description: "Managed prefix lists, one row per list and entry (describe-managed-prefix-lists, plus get-managed-prefix-list-entries --prefix-list-id per list, offline in files named `get-managed-prefix-list-entries.<pl-id>.json`; AWS::EC2::PrefixList, which records the account's own lists with their entries). A list whose entries were not read has one row with a null `cidr` and `entries_read` false: never take it for an empty list. Live, the entries are read only when `cidr`, `description` or `entries_read` is used; otherwise there is one row per list.",
    kinds: &[Kind::ManagedPrefixList],
    api_filters: &[
        ("prefix_list_id", "prefix-list-id"),
        ("prefix_list_name", "prefix-list-name"),
        ("owner_id", "owner-id"),
    ],
    max_results: false,
    extra_call_columns: &["cidr", "description", "entries_read"],
    tag_filters: false,
    records: |inv| {
        let mut out = Vec::new();
        for list in inv.of(Kind::ManagedPrefixList) {
            let id = list.data.str_at("PrefixListId").unwrap_or_default();
            // The entries call's output, else the entries AWS Config records with the list.
            let entries = inv
                .get(
                    Kind::ManagedPrefixListEntries,
                    &list.account_id,
                    &list.region,
                    id,
                )
                .map(|e| &e.data)
                .or(Some(&list.data))
                .and_then(|d| d.at("Entries"));
            child_records(list, entries, &mut out);
        }
        out
    },
    columns: &[
        col("prefix_list_id", Text, "The prefix list (pl-…).", |r| {
            r.resource.text("PrefixListId")
        }),
        col("prefix_list_name", Text, "The list's name.", |r| {
            r.resource.text("PrefixListName")
        }),
        col("arn", Text, "The list's ARN.", |r| {
            r.resource.text("PrefixListArn")
        }),
        col("address_family", Text, "`IPv4` or `IPv6`.", |r| {
            r.resource.text("AddressFamily")
        }),
        col(
            "owner_id",
            Text,
            "The owning account, or `AWS` for AWS-managed lists (com.amazonaws.…).",
            |r| r.resource.text("OwnerId"),
        ),
        col(
            "max_entries",
            Int,
            "The most entries the list may hold (the size a security group rule that references it counts as).",
            |r| r.resource.int("MaxEntries"),
        ),
        col(
            "state",
            Text,
            "`create-complete`, `modify-complete`, … (not in AWS Config items).",
            |r| r.resource.text("State"),
        ),
        col("version", Int, "The list's version.", |r| {
            r.resource.int("Version")
        }),
        col(
            "cidr",
            Text,
            "One entry's CIDR; null when the list has no entries or they were not read (see `entries_read`).",
            |r| r.item.text("Cidr"),
        ),
        col("description", Text, "The entry's description.", |r| {
            r.item.text("Description")
        }),
        col(
            "entries_read",
            Bool,
            "Whether the list's entries were read: false means its CIDRs are unknown, not absent.",
            |r| Cell::Bool(r.joined.is_some_and(Value::is_array)),
        ),
        col("tags", Tags, "Tags of the list.", |r| {
            r.resource.tags("Tags")
        }),
        ACCOUNT_ID,
        REGION,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    /// (prefix_list_id, cidr, entries_read) of every row.
    fn rows(files: &[(&str, Value)]) -> Vec<Vec<Cell>> {
        crate::tables::cli_rows(&TABLE, files, &["prefix_list_id", "cidr", "entries_read"])
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn entries_join_their_list_by_file_name_and_unread_lists_fail_closed() {
        let lists = json!({"PrefixLists": [
            {"PrefixListId": "pl-office", "PrefixListName": "office"},
            {"PrefixListId": "pl-empty", "PrefixListName": "empty"},
            {"PrefixListId": "pl-unread", "PrefixListName": "unread"},
        ]});
        let rows = rows(&[
            (
                "111122223333/us-east-1/describe-managed-prefix-lists.json",
                lists,
            ),
            (
                "111122223333/us-east-1/get-managed-prefix-list-entries.pl-office.json",
                json!({"Entries": [{"Cidr": "203.0.113.0/24"}, {"Cidr": "198.51.100.0/24"}]}),
            ),
            (
                "111122223333/us-east-1/get-managed-prefix-list-entries.pl-empty.json",
                json!({"Entries": []}),
            ),
        ]);
        assert_eq!(
            rows,
            [
                [text("pl-empty"), Cell::Null, Cell::Bool(true)],
                [text("pl-office"), text("203.0.113.0/24"), Cell::Bool(true)],
                [text("pl-office"), text("198.51.100.0/24"), Cell::Bool(true)],
                [text("pl-unread"), Cell::Null, Cell::Bool(false)],
            ]
        );
    }
}
