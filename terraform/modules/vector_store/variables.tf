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
    dashboards       = optional(bool, false)
    vpc_endpoint_ids = optional(list(string), [])
  })
  description = "Who reaches the collection: by default only through the VPC endpoint of var.vpc_endpoint and the OpenSearch Serverless VPC endpoints vpc_endpoint_ids; public = true opens it to any network instead (still IAM-authenticated). dashboards = true also opens the OpenSearch Dashboards endpoint, with the same access."
  default     = {}

  validation {
    condition     = var.network_access.public || var.vpc_endpoint != null || length(var.network_access.vpc_endpoint_ids) > 0
    error_message = "network_access must allow public access, or the collection needs a VPC endpoint (vpc_endpoint or network_access.vpc_endpoint_ids); otherwise nothing can reach it."
  }

  validation {
    condition     = alltrue([for id in var.network_access.vpc_endpoint_ids : can(regex("^vpce-[0-9a-z]+$", id))])
    error_message = "network_access.vpc_endpoint_ids must be OpenSearch Serverless VPC endpoint ids (vpce-...)."
  }
}

variable "vpc_endpoint" {
  type = object({
    name          = string
    vpc_id        = string
    subnet_ids    = list(string)
    ingress_cidrs = list(string)
  })
  description = "Create an OpenSearch Serverless VPC endpoint (and its security group, both named name) in subnet_ids, reachable on HTTPS (443) from ingress_cidrs, and allow the collection from it. null creates none."
  default     = null

  validation {
    condition     = var.vpc_endpoint == null || can(regex("^[a-z][a-z0-9-]{2,31}$", var.vpc_endpoint.name))
    error_message = "vpc_endpoint.name must be 3-32 characters: lowercase letters, digits and hyphens, starting with a letter (OpenSearch Serverless VPC endpoint names)."
  }

  validation {
    condition     = var.vpc_endpoint == null || (length(var.vpc_endpoint.subnet_ids) >= 1 && length(var.vpc_endpoint.subnet_ids) <= 6)
    error_message = "vpc_endpoint.subnet_ids must name 1 to 6 subnets."
  }

  validation {
    condition     = var.vpc_endpoint == null || (length(var.vpc_endpoint.ingress_cidrs) > 0 && alltrue([for c in var.vpc_endpoint.ingress_cidrs : can(cidrhost(c, 0))]))
    error_message = "vpc_endpoint.ingress_cidrs must list IPv4 CIDR blocks."
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
