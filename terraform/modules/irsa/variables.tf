variable "role_name" {
  type        = string
  description = "Name of the IAM role the voice-agent pod assumes."

  validation {
    condition     = can(regex("^[\\w+=,.@-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "oidc_provider_arn" {
  type        = string
  description = "ARN of the cluster's IAM OIDC provider."
}

variable "oidc_issuer_url" {
  type        = string
  description = "The cluster's OIDC issuer URL, with or without https://."
}

variable "namespace" {
  type        = string
  description = "Kubernetes namespace of the service account."
  default     = "voice"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a Kubernetes DNS label (lowercase letters, digits, hyphens; at most 63)."
  }
}

variable "service_account" {
  type        = string
  description = "Name of the Kubernetes service account allowed to assume the role."
  default     = "voice-agent"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account))
    error_message = "service_account must be a Kubernetes DNS subdomain name."
  }
}

variable "collection_arn" {
  type        = string
  description = "OpenSearch Serverless collection the agent may call (aoss:APIAccessAll)."
}

variable "managed_policy_arns" {
  type        = list(string)
  description = "Further managed policies for the agent (for example Bedrock or S3 access)."
  default     = []
}

variable "propagation_wait_seconds" {
  type        = number
  description = "Seconds to wait after creating the role before its ARN is handed on (role_arn output), so that what names the role as a principal does not meet IAM's propagation delay (0 in a local sandbox)."
  default     = 30

  validation {
    condition     = var.propagation_wait_seconds >= 0 && var.propagation_wait_seconds <= 300
    error_message = "propagation_wait_seconds must be between 0 and 300."
  }
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Managed policy set as the role's permissions boundary; null sets none."
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\\w+=,.@/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM managed policy ARN or null."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to the role."
  default     = {}
}
