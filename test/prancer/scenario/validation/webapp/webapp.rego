package rule

# Prancer rego convention: data.rule.<name> is true (passed) or false (failed); data.rule.<name>_err is the message.

default s3_public_acl = null

s3_public_acl = false {
    bucket := input.resources[_]
    bucket.type == "aws_s3_bucket"
    bucket.properties.acl == "public-read"
}

s3_public_acl = true {
    count([b | b := input.resources[_]; b.type == "aws_s3_bucket"]) > 0
    not s3_public_acl_found
}

s3_public_acl_found {
    bucket := input.resources[_]
    bucket.type == "aws_s3_bucket"
    bucket.properties.acl == "public-read"
}

s3_public_acl_err = "An S3 bucket has a public-read ACL" {
    s3_public_acl == false
}

default s3_versioning = null

s3_versioning_off {
    bucket := input.resources[_]
    bucket.type == "aws_s3_bucket"
    bucket.properties.versioning[_].enabled == false
}

s3_versioning = false {
    s3_versioning_off
}

s3_versioning = true {
    count([b | b := input.resources[_]; b.type == "aws_s3_bucket"]) > 0
    not s3_versioning_off
}

s3_versioning_err = "An S3 bucket has versioning disabled" {
    s3_versioning == false
}

default s3_encryption = null

s3_unencrypted {
    bucket := input.resources[_]
    bucket.type == "aws_s3_bucket"
    not bucket.properties.server_side_encryption_configuration
}

s3_encryption = false {
    s3_unencrypted
}

s3_encryption = true {
    count([b | b := input.resources[_]; b.type == "aws_s3_bucket"]) > 0
    not s3_unencrypted
}

s3_encryption_err = "An S3 bucket has no server-side encryption configuration" {
    s3_encryption == false
}

default s3_bucket_named = null

s3_bucket_named = true {
    count([b | b := input.resources[_]; b.type == "aws_s3_bucket"; b.properties.bucket]) > 0
}

s3_bucket_named_err = "" {
    s3_bucket_named == true
}

default sg_ssh_open = null

sg_ssh_world {
    sg := input.resources[_]
    sg.type == "aws_security_group"
    rule := sg.properties.ingress[_]
    rule.from_port <= 22
    rule.to_port >= 22
    rule.cidr_blocks[_] == "0.0.0.0/0"
}

sg_ssh_open = false {
    sg_ssh_world
}

sg_ssh_open = true {
    count([s | s := input.resources[_]; s.type == "aws_security_group"]) > 0
    not sg_ssh_world
}

sg_ssh_open_err = "A security group allows SSH (22) from 0.0.0.0/0" {
    sg_ssh_open == false
}
