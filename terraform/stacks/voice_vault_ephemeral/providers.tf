# The seed pattern: Terraform itself reads short-lived AWS credentials from
# Vault's AWS secrets engine as an ephemeral resource, so they exist only in
# memory for this run and never in state or plan files. main.tf, variables.tf
# and outputs.tf are the voice stack's own.

provider "vault" {
  # null falls back to VAULT_ADDR; the token comes from VAULT_TOKEN (or the
  # provider's auth_login settings).
  address = var.vault_address
}

ephemeral "vault_aws_access_credentials" "deployer" {
  mount = var.vault_aws_mount
  role  = var.vault_aws_role
  type  = "sts"
  ttl   = var.vault_aws_ttl
}

provider "aws" {
  region     = var.region
  access_key = ephemeral.vault_aws_access_credentials.deployer.access_key
  secret_key = ephemeral.vault_aws_access_credentials.deployer.secret_key
  token      = ephemeral.vault_aws_access_credentials.deployer.security_token

  allowed_account_ids = [var.account_id]

  default_tags {
    tags = local.tags
  }
}
