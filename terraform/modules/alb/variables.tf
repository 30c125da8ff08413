variable "name" {
  type        = string
  description = "Name of the load balancer and its target group (at most 28 characters, so suffixes fit AWS's 32)."

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9-]{0,26}[a-zA-Z0-9]$", var.name)) && !startswith(var.name, "internal-")
    error_message = "name must be 2-28 letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "vpc_id" {
  type        = string
  description = "VPC of the load balancer and its targets."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Public subnets, in at least two availability zones."

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids needs public subnets in at least two availability zones."
  }
}

variable "idle_timeout" {
  type        = number
  description = "Seconds a connection may stay idle. Voice calls are long-lived WebSockets: the AWS default of 60 drops them."
  default     = 3600

  validation {
    condition     = var.idle_timeout >= 1 && var.idle_timeout <= 4000 && floor(var.idle_timeout) == var.idle_timeout
    error_message = "idle_timeout must be a whole number of seconds from 1 to 4000 (3600 keeps hour-long calls up)."
  }
}

variable "enable_http2" {
  type        = bool
  description = "Serve HTTP/2 to clients (WebSocket upgrades still use HTTP/1.1)."
  default     = true
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the load balancer until this is turned off."
  default     = true
}

variable "ingress_cidrs" {
  type        = list(string)
  description = "Client CIDRs allowed to reach the listeners."
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.ingress_cidrs) > 0 && alltrue([for c in var.ingress_cidrs : can(cidrhost(c, 0))])
    error_message = "ingress_cidrs must list IPv4 CIDR blocks."
  }
}

variable "listener" {
  type = object({
    certificate_arn = optional(string)
    ssl_policy      = optional(string, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    allow_http_only = optional(bool, false)
  })
  description = <<-EOT
    HTTPS listener with an ACM certificate and an HTTP-to-HTTPS redirect. Without a certificate, an HTTP-only
    listener is created only when allow_http_only is true (local sandboxes; never for customer traffic).
  EOT
  default     = {}

  validation {
    condition     = var.listener.certificate_arn != null || var.listener.allow_http_only
    error_message = "listener.certificate_arn (an ACM certificate ARN) is required; set listener.allow_http_only only for a sandbox."
  }

  validation {
    condition     = var.listener.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.listener.certificate_arn))
    error_message = "listener.certificate_arn must be an ACM certificate ARN."
  }
}

variable "target_port" {
  type        = number
  description = "Port of the targets (the nodes) the load balancer sends to: the node port of the agent's Kubernetes Service."
  default     = 30080

  validation {
    condition     = var.target_port >= 1 && var.target_port <= 65535 && floor(var.target_port) == var.target_port
    error_message = "target_port must be a TCP port (1-65535)."
  }
}

variable "target_security_group_id" {
  type        = string
  description = "Security group the targets carry (for EKS managed nodes, the cluster security group); it gets a rule admitting the load balancer on target_port."

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.target_security_group_id))
    error_message = "target_security_group_id must be a security group id (sg-...)."
  }
}

variable "deregistration_delay" {
  type        = number
  description = "Seconds a deregistered target keeps its open connections (AWS allows 0-3600). Voice calls are WebSockets of up to an hour: the AWS default of 300 cuts them when a node leaves."
  default     = 3600

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600 && floor(var.deregistration_delay) == var.deregistration_delay
    error_message = "deregistration_delay must be a whole number of seconds from 0 to 3600."
  }
}

variable "health_check_path" {
  type        = string
  description = "HTTP path of the agent's health check."
  default     = "/healthz"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with /."
  }
}

variable "access_logs" {
  type = object({
    bucket = string
    prefix = optional(string, "alb")
  })
  description = "S3 bucket (and prefix) for access logs, null leaves them off. The bucket needs SSE-S3 default encryption and ELB's log-delivery bucket policy (docs/inputs.md); this module does not change it."
  default     = null
}

variable "tags" {
  type        = map(string)
  description = "Tags added to every resource."
  default     = {}
}
