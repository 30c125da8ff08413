terraform {
  # Ephemeral resources: OpenTofu >= 1.11 or Terraform >= 1.10.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70"
    }
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.6"
    }
  }

  backend "s3" {}
}
