variable "cluster_name" {
  type        = string
  description = "Name of the EKS cluster."

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,99}$", var.cluster_name))
    error_message = "cluster_name must start with a letter and hold only letters, digits and hyphens (at most 100)."
  }
}

variable "kubernetes_version" {
  type        = string
  description = "Kubernetes minor version of the control plane, such as 1.35. The voice stack checks it against the EKS release calendar (stacks/voice/kubernetes_versions.json)."
  default     = "1.35"

  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.kubernetes_version))
    error_message = "kubernetes_version must be a minor version such as 1.35."
  }
}

variable "support_type" {
  type        = string
  description = "Upgrade policy at the end of standard support: STANDARD (EKS upgrades the cluster) or EXTENDED (keeps the version, billed per cluster-hour)."
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], var.support_type)
    error_message = "support_type must be STANDARD or EXTENDED."
  }
}

variable "permissions_boundary_arn" {
  type        = string
  description = "Managed policy set as the permissions boundary of the cluster and node roles; null sets none."
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\\w+=,.@/-]+$", var.permissions_boundary_arn))
    error_message = "permissions_boundary_arn must be an IAM managed policy ARN or null."
  }
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets for the control plane's network interfaces and the nodes; at least two zones."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs at least two subnets in different availability zones."
  }
}

variable "endpoint_public_access" {
  type        = bool
  description = "Expose the Kubernetes API endpoint publicly (restricted to public_access_cidrs)."
  default     = true
}

variable "endpoint_private_access" {
  type        = bool
  description = "Reach the Kubernetes API endpoint from inside the VPC."
  default     = true
}

variable "public_access_cidrs" {
  type        = list(string)
  description = "CIDRs allowed to reach the public API endpoint (required: no default opens it to the internet)."

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "public_access_cidrs must all be IPv4 CIDR blocks."
  }
}

variable "authentication_mode" {
  type        = string
  description = <<-EOT
    How EKS authenticates IAM principals: API_AND_CONFIG_MAP (access entries, and the aws-auth ConfigMap of older
    clusters) or API (access entries only). A change is one way: CONFIG_MAP -> API_AND_CONFIG_MAP -> API.
  EOT
  default     = "API_AND_CONFIG_MAP"

  validation {
    condition     = contains(["API_AND_CONFIG_MAP", "API"], var.authentication_mode)
    error_message = "authentication_mode must be API_AND_CONFIG_MAP or API (access entries need one of them)."
  }
}

variable "deployer_role_arn" {
  type        = string
  description = <<-EOT
    The IAM role that applies the stack (arn:aws:iam::ACCOUNT:role/NAME, with its path if it has one). It gets a
    cluster administrator access entry: the deployment configures the cluster with it. Named, not read from the
    caller, so that a plan made with another role (a read-only planner) plans the same entry.
  EOT

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", var.deployer_role_arn))
    error_message = "deployer_role_arn must be an IAM role ARN such as arn:aws:iam::123456789012:role/voicestack-deployer."
  }
}

variable "planner_role_arn" {
  type        = string
  description = <<-EOT
    The read-only IAM role that plans the stack (check runs, the drift check, verify), arn:aws:iam::ACCOUNT:role/NAME
    with its path if it has one. It gets a view access entry (AmazonEKSViewPolicy, cluster scope): it can read the
    agent's service account, and write nothing. Null: no entry.
  EOT
  default     = null

  validation {
    condition     = var.planner_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", var.planner_role_arn))
    error_message = "planner_role_arn must be an IAM role ARN such as arn:aws:iam::123456789012:role/voicestack-planner, or null."
  }
}

variable "admin_principal_arns" {
  type        = list(string)
  description = <<-EOT
    IAM roles and users (ARNs, arn:aws:iam::ACCOUNT:role/NAME or user/NAME, with the role's path if it has one) that
    get a cluster administrator access entry (AmazonEKSClusterAdminPolicy, cluster scope), besides the deployer's
    role (deployer_role_arn), which always gets one.
  EOT
  default     = []

  validation {
    condition     = alltrue([for a in var.admin_principal_arns : !can(regex("^arn:aws[a-z-]*:sts::", a))])
    error_message = "admin_principal_arns: an STS session ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) cannot have an access entry; give the role's ARN, arn:aws:iam::ACCOUNT:role/NAME."
  }

  validation {
    condition     = alltrue([for a in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", a))])
    error_message = "admin_principal_arns must list IAM role or user ARNs such as arn:aws:iam::123456789012:role/platform-admins."
  }

  validation {
    condition     = length(distinct(var.admin_principal_arns)) == length(var.admin_principal_arns)
    error_message = "admin_principal_arns must not list a principal twice (EKS allows one access entry per principal)."
  }
}

variable "enabled_log_types" {
  type        = list(string)
  description = "Control-plane log types sent to CloudWatch Logs."
  default     = ["api", "audit", "authenticator"]

  validation {
    condition     = alltrue([for t in var.enabled_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "enabled_log_types may hold api, audit, authenticator, controllerManager and scheduler."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep control-plane logs."
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, such as 30, 90 or 365."
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

variable "node_group" {
  type = object({
    instance_types = optional(list(string), ["m7g.large"])
    ami_type       = optional(string, "AL2023_ARM_64_STANDARD")
    min_size       = optional(number, 2)
    desired_size   = optional(number, 3)
    max_size       = optional(number, 10)
    disk_size      = optional(number, 50)
  })
  description = <<-EOT
    The managed node group. Defaults: Graviton m7g.large on Amazon Linux 2023 ARM, min 2, desired 3, max 10.
    ARM instance families (m7g, c7g, r7g, t4g, ...) need an ARM AMI type and x86 families an x86 one.
  EOT
  default     = {}

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
    ])) == 1
    error_message = "node_group.instance_types must not mix ARM (Graviton, e.g. m7g) and x86 families."
  }

  validation {
    condition = (
      can(regex("^[a-z]+[0-9]+g[a-z]*\\.", var.node_group.instance_types[0]))
      == can(regex("ARM", var.node_group.ami_type))
    )
    error_message = "node_group.ami_type does not match the instance architecture: ARM families (m7g, c7g, r7g, t4g, ...) need an ARM AMI type such as AL2023_ARM_64_STANDARD, x86 families an x86 one such as AL2023_x86_64_STANDARD."
  }

  validation {
    condition     = contains(["AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64"], var.node_group.ami_type)
    error_message = "node_group.ami_type must be one of AL2023_ARM_64_STANDARD, AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64, BOTTLEROCKET_x86_64."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
