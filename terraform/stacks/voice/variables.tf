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

  # Every name the stack derives from customer ("<customer>-voice" and its
  # suffixes), against AWS's limit for its resource type. Keep this list in
  # step with the modules' name arguments (see docs/inputs.md, "Names").
  validation {
    condition = alltrue([for n in [
      { what = "EKS cluster", name = "${var.customer}-voice", limit = 100 },
      { what = "EKS node group", name = "${var.customer}-voice-default", limit = 63 },
      { what = "CloudWatch Logs log group", name = "/aws/eks/${var.customer}-voice/cluster", limit = 512 },
      { what = "IAM role", name = "${var.customer}-voice-cluster", limit = 64 },
      { what = "IAM role", name = "${var.customer}-voice-node", limit = 64 },
      { what = "IAM role", name = "${var.customer}-voice-agent", limit = 64 },
      { what = "load balancer", name = "${var.customer}-voice", limit = 32 },
      { what = "target group", name = "${var.customer}-voice-agent", limit = 32 },
      { what = "security group", name = "${var.customer}-voice-alb", limit = 255 },
      { what = "OpenSearch Serverless collection", name = "${var.customer}-voice", limit = 32 },
      { what = "OpenSearch Serverless policy", name = "${var.customer}-voice-agent", limit = 32 },
    ] : length(n.name) <= n.limit])
    error_message = join("; ", [for n in [
      { what = "EKS cluster", name = "${var.customer}-voice", limit = 100 },
      { what = "EKS node group", name = "${var.customer}-voice-default", limit = 63 },
      { what = "CloudWatch Logs log group", name = "/aws/eks/${var.customer}-voice/cluster", limit = 512 },
      { what = "IAM role", name = "${var.customer}-voice-cluster", limit = 64 },
      { what = "IAM role", name = "${var.customer}-voice-node", limit = 64 },
      { what = "IAM role", name = "${var.customer}-voice-agent", limit = 64 },
      { what = "load balancer", name = "${var.customer}-voice", limit = 32 },
      { what = "target group", name = "${var.customer}-voice-agent", limit = 32 },
      { what = "security group", name = "${var.customer}-voice-alb", limit = 255 },
      { what = "OpenSearch Serverless collection", name = "${var.customer}-voice", limit = 32 },
      { what = "OpenSearch Serverless policy", name = "${var.customer}-voice-agent", limit = 32 },
    ] : "customer: '${var.customer}' makes the ${n.what} name '${n.name}' (${length(n.name)} characters); AWS allows ${n.limit}" if length(n.name) > n.limit])
  }

  # A load balancer name must not begin with "internal-".
  validation {
    condition     = !startswith(var.customer, "internal-")
    error_message = "customer: '${var.customer}' makes the load balancer name '${var.customer}-voice', and AWS refuses load balancer names beginning with 'internal-'."
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
  description = "Availability zones to use (2 or 3); empty takes the region's first three by name that need no opt-in (no Local or Wavelength Zone) and can hold an EKS control plane."
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

# EKS Kubernetes versions with their end of standard and of extended support
# (kubernetes_versions.json, from the EKS release calendar): the one place
# both this inputs check and role terraform_stack (its warnings) read.
locals {
  kubernetes_calendar = jsondecode(file("${path.module}/kubernetes_versions.json"))
}

variable "kubernetes_version" {
  type        = string
  description = "EKS Kubernetes minor version; null takes the collection's default (kubernetes_versions.json). Versions past their end of extended support are refused."
  default     = null

  validation {
    condition     = var.kubernetes_version == null || contains(keys(local.kubernetes_calendar.versions), coalesce(var.kubernetes_version, "-"))
    error_message = "kubernetes_version: '${coalesce(var.kubernetes_version, "-")}' is not an EKS version this collection knows; use one of ${join(", ", sort(keys(local.kubernetes_calendar.versions)))}."
  }

  validation {
    condition = var.kubernetes_version == null || !contains(keys(local.kubernetes_calendar.versions), coalesce(var.kubernetes_version, "-")) || timecmp(
      plantimestamp(), "${try(local.kubernetes_calendar.versions[var.kubernetes_version].end_of_extended_support, "9999-12-31")}T00:00:00Z"
    ) < 0
    error_message = "kubernetes_version: EKS ${coalesce(var.kubernetes_version, "-")} reached its end of extended support on ${try(local.kubernetes_calendar.versions[var.kubernetes_version].end_of_extended_support, "-")}; EKS no longer creates or keeps clusters on it. Use ${local.kubernetes_calendar.default}."
  }
}

variable "kubernetes_support_type" {
  type        = string
  description = "EKS upgrade policy at the end of standard support: STANDARD lets EKS upgrade the cluster; EXTENDED keeps the version and bills extended support per cluster-hour."
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], var.kubernetes_support_type)
    error_message = "kubernetes_support_type must be STANDARD or EXTENDED (extended support bills per cluster-hour)."
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
  nullable    = false
  description = "The operators' IPv4 CIDRs allowed to reach the public Kubernetes API endpoint (required; 0.0.0.0/0 only with cluster_public_access_allow_anywhere)."

  validation {
    condition     = length(var.cluster_public_access_cidrs) > 0
    error_message = "cluster_public_access_cidrs must list the CIDRs your operators reach the Kubernetes API from, for example [\"203.0.113.0/24\"]."
  }

  validation {
    condition     = alltrue([for c in var.cluster_public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "cluster_public_access_cidrs must all be IPv4 CIDR blocks."
  }

  validation {
    condition     = var.cluster_public_access_allow_anywhere || !anytrue([for c in var.cluster_public_access_cidrs : endswith(c, "/0")])
    error_message = "cluster_public_access_cidrs opens the Kubernetes API endpoint to the whole internet (a /0 block); list your operators' CIDRs, or set cluster_public_access_allow_anywhere = true to mean it."
  }
}

variable "cluster_public_access_allow_anywhere" {
  type        = bool
  description = "Allow a /0 block (0.0.0.0/0) in cluster_public_access_cidrs, opening the public Kubernetes API endpoint to the whole internet."
  default     = false
}

variable "cluster_admin_principal_arns" {
  type        = list(string)
  description = <<-EOT
    IAM roles and users (arn:aws:iam::ACCOUNT:role/NAME or user/NAME, with the role's path if it has one) that get a
    cluster administrator access entry (AmazonEKSClusterAdminPolicy, cluster scope) besides the deployer's role
    (deployer_role_arn), which always gets one. They can be of another account. Removing one revokes its access at the next run.
  EOT
  default     = []

  validation {
    condition     = alltrue([for a in var.cluster_admin_principal_arns : !can(regex("^arn:aws[a-z-]*:sts::", a))])
    error_message = "cluster_admin_principal_arns: an STS session ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) cannot have an access entry; give the role's ARN, arn:aws:iam::ACCOUNT:role/NAME."
  }

  validation {
    condition     = alltrue([for a in var.cluster_admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", a))])
    error_message = "cluster_admin_principal_arns must list IAM role or user ARNs such as arn:aws:iam::123456789012:role/platform-admins."
  }

  validation {
    condition     = length(distinct(var.cluster_admin_principal_arns)) == length(var.cluster_admin_principal_arns)
    error_message = "cluster_admin_principal_arns must not list a principal twice (EKS allows one access entry per principal)."
  }
}

variable "cluster_authentication_mode" {
  type        = string
  description = <<-EOT
    How EKS authenticates IAM principals: API_AND_CONFIG_MAP (access entries, and the aws-auth ConfigMap a cluster may
    still have) or API (access entries only). A change is one way (CONFIG_MAP -> API_AND_CONFIG_MAP -> API).
  EOT
  default     = "API_AND_CONFIG_MAP"

  validation {
    condition     = contains(["API_AND_CONFIG_MAP", "API"], var.cluster_authentication_mode)
    error_message = "cluster_authentication_mode must be API_AND_CONFIG_MAP or API (the stack's access entries need one of them)."
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

  # The collection's policies are named <collection>-enc, -net and -agent;
  # OpenSearch Serverless policy names are 3-32 characters.
  validation {
    condition     = length("${coalesce(var.collection_name, "x")}-agent") <= 32
    error_message = "collection_name: '${coalesce(var.collection_name, "x")}' makes the OpenSearch Serverless policy name '${coalesce(var.collection_name, "x")}-agent' (${length("${coalesce(var.collection_name, "x")}-agent")} characters); AWS allows 32, so collection_name may have at most 26."
  }
}

variable "vector_store" {
  type = object({
    collection_type  = optional(string, "VECTORSEARCH")
    standby_replicas = optional(bool, true)
    kms_key_arn      = optional(string)
    private_endpoint = optional(bool, true)
    public           = optional(bool, false)
    dashboards       = optional(bool, false)
    vpc_endpoint_ids = optional(list(string), [])
  })
  description = "OpenSearch Serverless settings. The collection is private by default: reachable only through an OpenSearch Serverless VPC endpoint the stack creates in its private subnets (HTTPS from the VPC; private_endpoint = false creates none) and through vpc_endpoint_ids. public = true opens it to any network instead (still IAM-authenticated); dashboards = true also opens the OpenSearch Dashboards endpoint, with the same access."
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
    condition     = var.vector_store.public || var.vector_store.private_endpoint || length(var.vector_store.vpc_endpoint_ids) > 0
    error_message = "vector_store: with private_endpoint = false, set public = true or name vpc_endpoint_ids; otherwise nothing can reach the collection."
  }

  validation {
    condition     = alltrue([for id in var.vector_store.vpc_endpoint_ids : can(regex("^vpce-[0-9a-z]+$", id))])
    error_message = "vector_store.vpc_endpoint_ids must be OpenSearch Serverless VPC endpoint ids (vpce-...)."
  }
}

variable "alb" {
  type = object({
    idle_timeout         = optional(number, 3600)
    deletion_protection  = optional(bool, true)
    certificate_arn      = optional(string)
    allow_http_only      = optional(bool, false)
    ingress_cidrs        = optional(list(string), ["0.0.0.0/0"])
    target_port          = optional(number, 8080)
    health_check_path    = optional(string, "/healthz")
    access_logs_bucket   = optional(string)
    node_port            = optional(number, 30080)
    deregistration_delay = optional(number, 3600)
  })
  description = <<-EOT
    WebSocket load balancer settings. idle_timeout 3600 keeps hour-long calls up. The targets are the nodes on
    node_port, the node port of the agent's Service, which leads to the pods' target_port. deregistration_delay
    is how long a leaving node keeps its calls (AWS allows at most 3600).
  EOT
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

  # A load balancer takes an ACM certificate of its own region only.
  validation {
    condition     = var.alb.certificate_arn == null || try(split(":", var.alb.certificate_arn)[3], "") == var.region
    error_message = "alb.certificate_arn: the certificate is in region ${try(split(":", var.alb.certificate_arn)[3], "-")}, the stack in ${var.region}; a load balancer can only use an ACM certificate of its own region (request or import one there)."
  }

  # ELB writes the logs only with the bucket policy it documents, to a bucket
  # encrypted with SSE-S3 (docs/inputs.md, "Access logs"); the bucket's name
  # goes into the load balancer's attributes as is.
  validation {
    condition     = var.alb.access_logs_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.alb.access_logs_bucket))
    error_message = "alb.access_logs_bucket must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens) or null."
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

  validation {
    condition     = var.alb.node_port >= 30000 && var.alb.node_port <= 32767 && floor(var.alb.node_port) == var.alb.node_port
    error_message = "alb.node_port must be in Kubernetes' NodePort range, 30000-32767."
  }

  validation {
    condition     = var.alb.deregistration_delay >= 0 && var.alb.deregistration_delay <= 3600 && floor(var.alb.deregistration_delay) == var.alb.deregistration_delay
    error_message = "alb.deregistration_delay must be a whole number of seconds from 0 to 3600 (AWS's limit; 3600 lets hour-long calls end when a node leaves)."
  }
}

variable "iam_propagation_wait_seconds" {
  type        = number
  description = "Seconds to wait for IAM propagation after creating the agent role, before the vector store's access policy and the service account name it (0 in a local sandbox)."
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
    # Opt-in for AdministratorAccess, PowerUserAccess or IAMFullAccess.
    allow_admin_policies = optional(bool, false)
  })
  description = "Kubernetes identity of the voice agent and its extra IAM policies (AdministratorAccess, PowerUserAccess and IAMFullAccess only with allow_admin_policies)."
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

  validation {
    condition = var.agent.allow_admin_policies || length([
      for arn in var.agent.managed_policy_arns : arn if can(regex("^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$", arn))
    ]) == 0
    error_message = "agent.managed_policy_arns: ${join(", ", [for arn in var.agent.managed_policy_arns : arn if can(regex("^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$", arn))])} would give the voice agent's pods administrator or IAM rights; set agent.allow_admin_policies to true only if that is meant."
  }
}

variable "deployer_role_arn" {
  type        = string
  description = "The IAM role that applies the stack; it gets a cluster administrator access entry. Null: the account's voicestack-deployer, which the account's onboarding creates (docs/runbook.md). Named, not read from the caller, so that the read-only planner role plans the same entry."
  default     = null

  validation {
    condition     = var.deployer_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", var.deployer_role_arn))
    error_message = "deployer_role_arn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME, with its path if it has one) or null (the account's voicestack-deployer)."
  }
}

variable "planner_role_arn" {
  type        = string
  description = "The read-only IAM role that --check, the drift check and verify-only runs use; it gets a view access entry to the cluster (AmazonEKSViewPolicy, cluster scope), so a check run reads the agent's service account and can change nothing. Null: the account's voicestack-planner. It must exist before the first apply: EKS refuses an access entry for a missing role."
  default     = null

  validation {
    condition     = var.planner_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", var.planner_role_arn))
    error_message = "planner_role_arn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME, with its path if it has one) or null (the account's voicestack-planner)."
  }
}

variable "iam_permissions_boundary_arn" {
  type        = string
  description = "Managed policy set as the permissions boundary of every IAM role the stack creates (cluster, nodes, agent). Null: the account's voicestack-boundary, which the account's onboarding creates and the deployer's policy requires on every role it creates."
  default     = null

  validation {
    condition     = var.iam_permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\\w+=,.@/-]+$", var.iam_permissions_boundary_arn))
    error_message = "iam_permissions_boundary_arn must be an IAM managed policy ARN (arn:aws:iam::ACCOUNT:policy/NAME) or null (the account's voicestack-boundary)."
  }
}
