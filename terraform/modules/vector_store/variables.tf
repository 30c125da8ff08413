variable "collection_name" {
  type        = string
  description = "Name of the OpenSearch Serverless collection (also names its policies)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.collection_name))
    error_message = "collection_name must be 3-32 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "collection_type" {
  type        = string
  description = "VECTORSEARCH for the agent's embeddings. SEARCH only as a deliberate override: it bills more for this use."
  default     = "VECTORSEARCH"

  validation {
    condition     = contains(["VECTORSEARCH", "SEARCH"], var.collection_type)
    error_message = "collection_type must be VECTORSEARCH (or, deliberately, SEARCH)."
  }
}

variable "standby_replicas" {
  type        = bool
  description = "Keep standby replicas in another zone (production); false halves the minimum OCU bill (dev/test)."
  default     = true
}

variable "kms_key_arn" {
  type        = string
  description = "Customer-managed KMS key for the collection; null uses an AWS-owned key."
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null."
  }
}

variable "network_access" {
  type = object({
    public           = optional(bool, false)
    vpc_endpoint_ids = optional(list(string), [])
  })
  description = "Who reaches the collection: the public internet (still IAM-authenticated) and/or OpenSearch Serverless VPC endpoints."
  default     = {}

  validation {
    condition     = var.network_access.public || length(var.network_access.vpc_endpoint_ids) > 0
    error_message = "network_access must allow public access or name at least one VPC endpoint; otherwise nothing can reach the collection."
  }

  validation {
    condition     = alltrue([for id in var.network_access.vpc_endpoint_ids : can(regex("^vpce-[0-9a-z]+$", id))])
    error_message = "network_access.vpc_endpoint_ids must be OpenSearch Serverless VPC endpoint ids (vpce-...)."
  }
}

variable "principal_arns" {
  type        = list(string)
  description = "IAM principals (the voice agent's IRSA role) granted read and write on the collection and its indexes."

  validation {
    condition     = length(var.principal_arns) > 0 && alltrue([for a in var.principal_arns : can(regex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:", a))])
    error_message = "principal_arns must list at least one IAM role or user ARN."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to the collection."
  default     = {}
}
