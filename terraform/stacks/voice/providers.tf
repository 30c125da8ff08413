# Credentials come from the terraform process environment only
# (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN): never a
# variable, a tfvars file or the backend configuration.
provider "aws" {
  region = var.region

  # Account guard inside Terraform: refuse to touch any other account.
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = local.tags
  }
}
