use super::prelude::*;

pub static TABLE: Table = Table {
    name: "ec2_regional_settings",
    description: "EC2 account settings per region (get-ebs-encryption-by-default, get-ebs-default-kms-key-id). AWS Config does not record them.",
    kinds: &[Kind::EbsDefaults],
    api_filters: &[],
    max_results: false,
    extra_call_columns: &["ebs_default_kms_key_id"],
    tag_filters: false,
    records: |inv| each(inv, Kind::EbsDefaults),
    columns: &[
        col(
            "ebs_encryption_by_default",
            Bool,
            "Whether new EBS volumes are encrypted by default in this region.",
            |r| r.resource.bool("EbsEncryptionByDefault"),
        ),
        col(
            "ebs_default_kms_key_id",
            Text,
            "The default KMS key for EBS encryption, if loaded.",
            |r| r.resource.text("KmsKeyId"),
        ),
        ACCOUNT_ID,
        REGION,
    ],
};
