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
  description = "EKS managed node group (validated in modules/eks)."
  default     = {}
}

variable "cluster_public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public Kubernetes API endpoint."
  default     = ["0.0.0.0/0"]
}

variable "secrets_kms_key_arn" {
  type        = string
  description = "KMS key for envelope encryption of Kubernetes secrets; null leaves it off."
  default     = null
}

variable "collection_name" {
  type        = string
  description = "OpenSearch Serverless collection name; null makes it <customer>-voice."
  default     = null
}

variable "vector_store" {
  type = object({
    collection_type  = optional(string, "VECTORSEARCH")
    standby_replicas = optional(bool, true)
    kms_key_arn      = optional(string)
    public           = optional(bool, true)
    vpc_endpoint_ids = optional(list(string), [])
  })
  description = "OpenSearch Serverless settings (validated in modules/vector_store)."
  default     = {}
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
  description = "WebSocket load balancer settings (validated in modules/alb). idle_timeout 3600 keeps hour-long calls up."
  default     = {}
}

variable "iam_propagation_wait_seconds" {
  type        = number
  description = "Seconds to wait for IAM propagation before granting the agent role its policies (0 in a local sandbox)."
  default     = 30
}

variable "agent" {
  type = object({
    namespace           = optional(string, "voice")
    service_account     = optional(string, "voice-agent")
    managed_policy_arns = optional(list(string), [])
  })
  description = "Kubernetes identity of the voice agent and its extra IAM policies."
  default     = {}
}
