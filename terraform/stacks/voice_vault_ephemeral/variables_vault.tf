variable "vault_address" {
  type        = string
  description = "Vault address; null takes VAULT_ADDR from the environment."
  default     = null

  validation {
    condition     = var.vault_address == null || can(regex("^https?://", var.vault_address))
    error_message = "vault_address must be an http(s) URL or null."
  }
}

variable "vault_aws_mount" {
  type        = string
  description = "Mount point of Vault's AWS secrets engine."
  default     = "aws"
}

variable "vault_aws_role" {
  type        = string
  description = "Vault AWS role (assumed_role or federation_token) to read credentials from."

  validation {
    condition     = length(var.vault_aws_role) > 0
    error_message = "vault_aws_role must name a Vault AWS secrets engine role."
  }
}

variable "vault_aws_ttl" {
  type        = string
  description = "Lifetime of the credentials; long enough for the whole apply (default 1h)."
  default     = "1h"

  validation {
    condition     = can(regex("^[0-9]+[smh]$", var.vault_aws_ttl))
    error_message = "vault_aws_ttl must be a duration such as 3600s, 60m or 1h."
  }
}
