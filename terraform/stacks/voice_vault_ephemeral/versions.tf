terraform {
  # Ephemeral resources: OpenTofu >= 1.11 or Terraform >= 1.10.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9, < 1.0"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.6, < 6.0"
    }
  }

  backend "s3" {}
}
