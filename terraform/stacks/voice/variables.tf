variable "account_id" {
  type        = string
  description = "The customer AWS account id this stack may touch (12 digits)."

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "region" {
  type        = string
  description = "AWS region of the stack, for example eu-west-1."

  validation {
    condition     = can(regex("^(us|eu|ap|sa|ca|me|af|il|mx)(-gov|-iso[a-z]*)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1 or us-east-1."
  }
}

variable "customer" {
  type        = string
  description = "Short customer name; prefixes every resource name."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.customer))
    error_message = "customer must be 3-20 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource (on top of voicestack's own)."
  default     = {}

  validation {
    condition     = length(var.tags) <= 40 && alltrue([for k, v in var.tags : length(k) >= 1 && length(k) <= 128 && length(v) <= 256 && !startswith(lower(k), "aws:")])
    error_message = "tags: at most 40, keys 1-128 characters not starting with aws:, values up to 256 characters."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "IPv4 CIDR of the VPC (/16 to /20); subnets are carved from it."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && can(regex("^[0-9.]+/(1[6-9]|20)$", var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR block between /16 and /20, for example 10.40.0.0/16."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "Availability zones to use (2 or 3); empty takes the region's first three."
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || (length(var.availability_zones) >= 2 && length(var.availability_zones) <= 3)
    error_message = "availability_zones must name 2 or 3 zones, or be empty."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway for all zones (cheaper) instead of one per zone."
  default     = false
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes minor version (1.31 or newer)."
  default     = "1.35"

  validation {
    condition     = can(regex("^1\\.(3[1-9]|[4-9][0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35, and at least 1.31."
  }
}

variable "node_group" {
  type = object({
    instance_types = optional(list(string), ["m7g.large"])
    ami_type       = optional(string, "AL2023_ARM_64_STANDARD")
    min_size       = optional(number, 2)
    desired_size   = optional(number, 3)
    max_size       = optional(number, 10)
    disk_size      = optional(number, 50)
  })
  description = "EKS managed node group. Graviton (ARM) families need an ARM AMI type, x86 families an x86 one."
  default     = {}

  # The user-facing rules of modules/eks, repeated here so that the inputs
  # check (this file planned alone, before any call) refuses a bad value.
  validation {
    condition     = var.node_group.min_size >= 1 && var.node_group.min_size <= var.node_group.desired_size && var.node_group.desired_size <= var.node_group.max_size
    error_message = "node_group sizes must satisfy 1 <= min_size <= desired_size <= max_size."
  }

  validation {
    condition     = var.node_group.max_size <= 100
    error_message = "node_group.max_size above 100 is refused as a likely typo (it bills per node)."
  }

  validation {
    condition     = length(var.node_group.instance_types) >= 1 && alltrue([for t in var.node_group.instance_types : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))])
    error_message = "node_group.instance_types must list EC2 instance types such as m7g.large."
  }

  validation {
    condition = length(distinct([
      for t in var.node_group.instance_types : can(regex("^[a-z]+[0-9]+g[a-z]*\\.", t))
    ])) <= 1
    error_message = "node_group.instance_types must not mix ARM (Graviton, e.g. m7g) and x86 families."
  }

  validation {
    condition = length(var.node_group.instance_types) == 0 || (
      can(regex("^[a-z]+[0-9]+g[a-z]*\\.", var.node_group.instance_types[0]))
      == can(regex("ARM", var.node_group.ami_type))
    )
    error_message = "node_group.ami_type does not match the instance architecture: ARM families (m7g, c7g, r7g, t4g, ...) need an ARM AMI type such as AL2023_ARM_64_STANDARD, x86 families an x86 one such as AL2023_x86_64_STANDARD."
  }

  validation {
    condition     = contains(["AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64"], var.node_group.ami_type)
    error_message = "node_group.ami_type must be one of AL2023_ARM_64_STANDARD, AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64, BOTTLEROCKET_x86_64."
  }

  validation {
    condition     = var.node_group.disk_size >= 20 && var.node_group.disk_size <= 1000
    error_message = "node_group.disk_size must be 20 to 1000 GiB."
  }
}

variable "cluster_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public Kubernetes API endpoint."
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.cluster_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "cluster_public_access_cidrs must all be IPv4 CIDR blocks."
  }
}

variable "secrets_kms_key_arn" {
  type        = string
  description = "KMS key for envelope encryption of Kubernetes secrets; null leaves it off."
  default     = null

  validation {
    condition     = var.secrets_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.secrets_kms_key_arn))
    error_message = "secrets_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null."
  }
}

variable "collection_name" {
  type        = string
  description = "OpenSearch Serverless collection name; null makes it <customer>-voice."
  default     = null

  validation {
    condition     = var.collection_name == null || can(regex("^[a-z][a-z0-9-]{2,31}$", var.collection_name))
    error_message = "collection_name must be 3-32 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "vector_store" {
  type = object({
    collection_type  = optional(string, "VECTORSEARCH")
    standby_replicas = optional(bool, true)
    kms_key_arn      = optional(string)
    public           = optional(bool, true)
    vpc_endpoint_ids = optional(list(string), [])
  })
  description = "OpenSearch Serverless settings."
  default     = {}

  # The user-facing rules of modules/vector_store, repeated for the inputs check.
  # The voice stack is a vector store: it takes VECTORSEARCH only, which is also
  # what role verify checks (the module alone still allows SEARCH).
  validation {
    condition     = var.vector_store.collection_type == "VECTORSEARCH"
    error_message = "vector_store.collection_type must be VECTORSEARCH: the voice agent stores embeddings (a SEARCH collection has no vector index, and verify refuses it)."
  }

  validation {
    condition     = var.vector_store.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.vector_store.kms_key_arn))
    error_message = "vector_store.kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or null."
  }

  validation {
    condition     = var.vector_store.public || length(var.vector_store.vpc_endpoint_ids) > 0
    error_message = "vector_store must allow public access or name at least one VPC endpoint; otherwise nothing can reach the collection."
  }

  validation {
    condition     = alltrue([for id in var.vector_store.vpc_endpoint_ids : can(regex("^vpce-[0-9a-z]+$", id))])
    error_message = "vector_store.vpc_endpoint_ids must be OpenSearch Serverless VPC endpoint ids (vpce-...)."
  }
}

variable "alb" {
  type = object({
    idle_timeout        = optional(number, 3600)
    deletion_protection = optional(bool, true)
    certificate_arn     = optional(string)
    allow_http_only     = optional(bool, false)
    ingress_cidrs       = optional(list(string), ["0.0.0.0/0"])
    target_port         = optional(number, 8080)
    health_check_path   = optional(string, "/healthz")
    access_logs_bucket  = optional(string)
  })
  description = "WebSocket load balancer settings. idle_timeout 3600 keeps hour-long calls up."
  default     = {}

  # The user-facing rules of modules/alb, repeated for the inputs check.
  validation {
    condition     = var.alb.idle_timeout >= 1 && var.alb.idle_timeout <= 4000 && floor(var.alb.idle_timeout) == var.alb.idle_timeout
    error_message = "alb.idle_timeout must be a whole number of seconds from 1 to 4000 (3600 keeps hour-long calls up)."
  }

  validation {
    condition     = var.alb.certificate_arn != null || var.alb.allow_http_only
    error_message = "alb.certificate_arn (an ACM certificate ARN) is required; set alb.allow_http_only only for a sandbox."
  }

  validation {
    condition     = var.alb.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.alb.certificate_arn))
    error_message = "alb.certificate_arn must be an ACM certificate ARN."
  }

  validation {
    condition     = length(var.alb.ingress_cidrs) > 0 && alltrue([for c in var.alb.ingress_cidrs : can(cidrhost(c, 0))])
    error_message = "alb.ingress_cidrs must list IPv4 CIDR blocks."
  }

  validation {
    condition     = var.alb.target_port >= 1 && var.alb.target_port <= 65535
    error_message = "alb.target_port must be a TCP port (1-65535)."
  }

  validation {
    condition     = startswith(var.alb.health_check_path, "/")
    error_message = "alb.health_check_path must start with /."
  }
}

variable "iam_propagation_wait_seconds" {
  type        = number
  description = "Seconds to wait for IAM propagation before granting the agent role its policies (0 in a local sandbox)."
  default     = 30

  validation {
    condition     = var.iam_propagation_wait_seconds >= 0 && var.iam_propagation_wait_seconds <= 300
    error_message = "iam_propagation_wait_seconds must be 0 to 300."
  }
}

variable "agent" {
  type = object({
    namespace           = optional(string, "voice")
    service_account     = optional(string, "voice-agent")
    managed_policy_arns = optional(list(string), [])
  })
  description = "Kubernetes identity of the voice agent and its extra IAM policies."
  default     = {}

  validation {
    condition = alltrue([
      for name in [var.agent.namespace, var.agent.service_account] : can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", name))
    ])
    error_message = "agent.namespace and agent.service_account must be Kubernetes names: lowercase letters, digits and hyphens, at most 63."
  }

  validation {
    condition     = alltrue([for arn in var.agent.managed_policy_arns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", arn))])
    error_message = "agent.managed_policy_arns must be IAM policy ARNs."
  }
}
