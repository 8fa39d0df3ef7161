resource "aws_s3_bucket" "logs" {
  bucket = "prancer-demo-logs"
  acl    = "public-read"

  versioning {
    enabled = false
  }
}

resource "aws_s3_bucket" "reports" {
  bucket = "prancer-demo-reports"
  acl    = "private"

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "aws:kms"
      }
    }
  }
}
