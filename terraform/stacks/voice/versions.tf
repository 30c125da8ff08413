terraform {
  # OpenTofu >= 1.11 or Terraform >= 1.10.
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
  }

  # Partial configuration: bucket, key, region, encryption and locking come
  # from -backend-config (the terraform_stack role renders them per account).
  backend "s3" {}
}
