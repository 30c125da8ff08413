locals {
  https = var.listener.certificate_arn != null
}

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Voice WebSocket load balancer"
  vpc_id      = var.vpc_id
  tags        = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "listener" {
  for_each          = { for pair in setproduct(local.https ? [80, 443] : [80], var.ingress_cidrs) : "${pair[0]}-${pair[1]}" => pair }
  description       = "Clients to the listener on port ${each.value[0]}"
  security_group_id = aws_security_group.alb.id
  ip_protocol       = "tcp"
  from_port         = each.value[0]
  to_port           = each.value[0]
  cidr_ipv4         = each.value[1]
}

resource "aws_vpc_security_group_egress_rule" "targets" {
  description                  = "Load balancer to the targets on port ${var.target_port}"
  security_group_id            = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = var.target_port
  to_port                      = var.target_port
  referenced_security_group_id = var.target_security_group_id
}

# The targets' own group admits the load balancer: traffic and health checks.
resource "aws_vpc_security_group_ingress_rule" "targets" {
  description                  = "From the ${var.name} load balancer on port ${var.target_port}"
  security_group_id            = var.target_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = var.target_port
  to_port                      = var.target_port
  referenced_security_group_id = aws_security_group.alb.id
  tags                         = var.tags
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:A WAF web ACL is the customer's choice and bills per request; associate one with alb_arn outside this stack.
  #checkov:skip=CKV_AWS_150:Deletion protection is on by default (var.deletion_protection); destroy.yml switches it off only to delete the stack.
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.subnet_ids
  security_groups            = [aws_security_group.alb.id]
  idle_timeout               = var.idle_timeout
  enable_http2               = var.enable_http2
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  tags                       = var.tags

  dynamic "access_logs" {
    for_each = var.access_logs == null ? [] : [var.access_logs]
    content {
      enabled = true
      bucket  = access_logs.value.bucket
      prefix  = access_logs.value.prefix
    }
  }
}

resource "aws_lb_target_group" "agent" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; the targets are nodes in private subnets reached only from its security group.
  # Instance targets: the nodes register through their Auto Scaling group
  # (target_group_arn is attached to it), and their node port leads to the
  # agent's pods. "-nodes" (not 0.1.0's "-agent", an ip target group) so that
  # the new group can be made before the old one is deleted.
  name                 = "${var.name}-nodes"
  vpc_id               = var.vpc_id
  target_type          = "instance"
  protocol             = "HTTP"
  port                 = var.target_port
  deregistration_delay = var.deregistration_delay
  tags                 = var.tags

  health_check {
    path                = var.health_check_path
    matcher             = "200"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  lifecycle {
    # The listeners move to the new group before the old one is deleted
    # (AWS refuses to delete a target group a listener forwards to).
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  #checkov:skip=CKV_AWS_103:The default ssl_policy, ELBSecurityPolicy-TLS13-1-2-2021-06, accepts TLS 1.2 and 1.3 only; checkov cannot read the variable.
  count             = local.https ? 1 : 0
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.listener.ssl_policy
  certificate_arn   = var.listener.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.agent.arn
  }
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Port 80 only redirects to HTTPS; it forwards plain HTTP only with listener.allow_http_only, a sandbox-only setting.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.agent.arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}
