terraform {
  # Ephemeral resources: OpenTofu >= 1.11 or Terraform >= 1.10.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.6"
    }
  }

  backend "s3" {}
}
