"""Deterministic generator of a realistic monorepo corpus for the benchmark (not part of the tests).

    python benchmarks/generate_corpus.py OUT --files 10000 [--seed 7] [--scale K]

About 60 % of the files are Terraform (638 of 1,054 in the real-world set PARSERS.md measured),
the rest multi-document Kubernetes manifests. The tree looks like a platform monorepo:

    OUT/terraform/team-NNN/modules/ai-key/{main,variables,outputs}.tf    a local module per team
    OUT/terraform/team-NNN/stacks/svc-MM/{main,iam,azure,gcp,variables,locals,outputs}.tf
                                        + terraform.tfvars                one root module each
    OUT/kubernetes/team-NNN/app-NNNNN.yaml                                5–9 documents each

With ``--app-share F`` a share F of the files is application and CI files instead of manifests,
in groups of six: ``OUT/apps/app-NNNN/{Dockerfile,docker-compose.yml,.env,.mcp.json}``, a
notebook ``OUT/apps/app-NNNN/notebooks/eval.ipynb`` and a workflow
``OUT/.github/workflows/app-NNNN.yml``, with keys in some, references and build secrets in others.

Roots hold AWS IAM users, access keys, roles with policies in ``jsonencode`` and heredocs,
Secrets Manager secrets with and without rotation, a Lambda function, Azure OpenAI accounts and
Key Vault secrets, Google service-account and API keys, locals and tag maps merged with
``merge()``, provider ``default_tags``, and a call to the team's module. Manifests hold Secrets,
ServiceAccounts, Deployments reading them through env and volumes, Roles and RoleBindings,
ConfigMaps. Names, tags, sizes and which resources appear vary with a seeded random generator, so
every file's content differs (no cache hit across files) and two runs with the same arguments
write identical trees.

``--scale K`` makes each file K times larger with the same file count: every top-level
``resource`` block of a Terraform file and every manifest document is written K times under
distinct names (``_copy1``, ``-copy1``, ...), so the corpus holds K times the resources a parser,
the recognizers and the inventory handle — the "larger corpus" of the memory target.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from pathlib import Path

AI_WORDS = ("openai", "anthropic", "bedrock", "gemini", "vertex", "mistral", "cohere", "hf", "llm", "rag", "embeddings")
PLAIN_WORDS = ("billing", "search", "reports", "ingest", "catalog", "payments", "notify", "audit", "etl", "web")
TEAMS = ("ml-platform", "search-team", "data-eng", "payments", "growth", "research", "tbd", "")
ROOT_FILES = 8  # seven .tf files and terraform.tfvars per root module
MODULE_FILES = 3
STACKS_PER_TEAM = 6
TERRAFORM_SHARE = 0.6
APP_FILES = 6  # per application: Dockerfile, Compose, .env, notebook, MCP config, workflow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write (replaced if it exists)")
    parser.add_argument("--files", type=int, default=1000, help="total number of files")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--app-share", type=float, default=0.0,
                        help="share of files that are Dockerfiles, Compose, .env, notebooks, MCP configs and workflows")
    parser.add_argument("--scale", type=int, default=1, help="write every resource and manifest document this many times")
    args = parser.parse_args()
    print(json.dumps(generate(args.out, args.files, args.seed, args.app_share, args.scale)))


def generate(out: Path, files: int, seed: int = 7, app_share: float = 0.0, scale: int = 1) -> dict[str, int]:
    """Writes the corpus (replacing ``out``) and returns how many files of each kind it holds."""
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(seed)
    terraform_budget = int(files * TERRAFORM_SHARE)
    tf_files = roots = team = 0
    while tf_files + MODULE_FILES + ROOT_FILES <= terraform_budget or roots == 0:
        team_dir = out / "terraform" / f"team-{team:03d}"
        tf_files += _write_module(team_dir / "modules" / "ai-key", rng)
        for stack in range(STACKS_PER_TEAM):
            if tf_files + ROOT_FILES > terraform_budget and roots:
                break
            tf_files += _write_root(team_dir / "stacks" / f"svc-{stack:02d}", team, stack, rng)
            roots += 1
        team += 1
    apps = int(files * app_share) // APP_FILES
    for index in range(apps):
        _write_app(out, index, rng)
    yaml_files = max(0, files - tf_files - apps * APP_FILES)
    for index in range(yaml_files):
        _write(out / "kubernetes" / f"team-{index % team:03d}" / f"app-{index:05d}.yaml", _manifest(index, rng))
    if scale > 1:
        _scale(out, scale)
    return {"files": tf_files + yaml_files + apps * APP_FILES, "terraform_files": tf_files, "root_modules": roots,
            "yaml_files": yaml_files, "app_files": apps * APP_FILES}


_RESOURCE_START = re.compile(r'^resource "[^"]+" "([^"]+)" \{$')
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)\s*$")
_MANIFEST_NAME = re.compile(r"^(  name: )(\S+)$", re.M)


def _scale(out: Path, scale: int) -> None:
    """Each Terraform resource block and manifest document K times, the copies renamed."""
    for path in sorted(out.rglob("*.tf")):
        text = path.read_text(encoding="utf-8")
        copies = [block.replace(f'"{name}" {{', f'"{name}_copy{n}" {{', 1) for n in range(1, scale) for name, block in _resource_blocks(text)]
        path.write_text(text + "".join(f"\n{copy}" for copy in copies), encoding="utf-8")
    for path in sorted((out / "kubernetes").rglob("*.yaml")):
        documents = path.read_text(encoding="utf-8").strip().split("\n---\n")
        copies = [_MANIFEST_NAME.sub(lambda m, n=n: f"{m.group(1)}{m.group(2)}-copy{n}", d) for n in range(1, scale) for d in documents]
        path.write_text("\n---\n".join(documents + copies) + "\n", encoding="utf-8")


def _resource_blocks(text: str) -> list[tuple[str, str]]:
    """(name, text) of each top-level resource block; a heredoc's lines never end a block."""
    blocks: list[tuple[str, str]] = []
    current: list[str] = []
    name, heredoc = "", None
    for line in text.splitlines(keepends=True):
        start = _RESOURCE_START.match(line.rstrip("\n"))
        if not current and start:
            current, name = [line], start.group(1)
            continue
        if not current:
            continue
        current.append(line)
        if heredoc is not None:
            heredoc = None if line.strip() == heredoc else heredoc
        elif (marker := _HEREDOC.search(line)) is not None:
            heredoc = marker.group(1)
        elif line.rstrip("\n") == "}":
            blocks.append((name, "".join(current)))
            current = []
    return blocks


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _name(rng: random.Random) -> str:
    return rng.choice(AI_WORDS if rng.random() < 0.6 else PLAIN_WORDS)


def _tags(rng: random.Random, indent: str = "  ") -> str:
    owner = rng.choice(TEAMS)
    pairs = [("environment", rng.choice(("prod", "staging", "dev"))), ("cost_center", str(rng.randrange(1000, 9999)))]
    if owner:
        pairs.insert(0, ("owner", owner))
    inner = "\n".join(f'{indent}  {key} = "{value}"' for key, value in pairs)
    return f"{{\n{inner}\n{indent}}}"


def _write_module(folder: Path, rng: random.Random) -> int:
    service = _name(rng)
    model = rng.choice(("anthropic.claude-3-haiku", "amazon.titan-embed-text-v2", "meta.llama3-8b"))
    _write(folder / "variables.tf", f'''variable "name" {{
  type        = string
  description = "Name of the {service} credential"
}}

variable "tags" {{
  type    = map(string)
  default = {{}}
}}

variable "rotation_days" {{
  type    = number
  default = {rng.choice((30, 60, 90, 180))}
}}
''')
    _write(folder / "main.tf", f'''resource "aws_iam_user" "this" {{
  name = "svc-${{var.name}}"
  tags = var.tags
}}

resource "time_rotating" "this" {{
  rotation_days = var.rotation_days
}}

resource "aws_iam_access_key" "this" {{
  user = aws_iam_user.this.name

  lifecycle {{
    replace_triggered_by = [time_rotating.this]
  }}
}}

resource "aws_iam_user_policy" "this" {{
  name = "${{var.name}}-invoke"
  user = aws_iam_user.this.name
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
      Resource = "arn:aws:bedrock:*::foundation-model/{model}*"
    }}]
  }})
}}
''')
    _write(folder / "outputs.tf", '''output "user_arn" {
  value = aws_iam_user.this.arn
}

output "access_key_id" {
  value = aws_iam_access_key.this.id
}
''')
    return MODULE_FILES


def _write_root(folder: Path, team: int, stack: int, rng: random.Random) -> int:
    service = _name(rng)
    env = rng.choice(("prod", "staging", "dev"))
    prefix = f"t{team:03d}-{service}-{stack:02d}"
    wildcard = rng.random() < 0.3
    _write(folder / "variables.tf", f'''variable "environment" {{
  type    = string
  default = "{env}"
}}

variable "region" {{
  type    = string
  default = "{rng.choice(("us-east-1", "eu-west-1", "eu-central-1"))}"
}}

variable "{service}_api_key" {{
  type      = string
  sensitive = true
  default   = null
}}

variable "allowed_models" {{
  type    = list(string)
  default = ["anthropic.claude-3-haiku", "amazon.titan-embed-text-v2"]
}}
''')
    _write(folder / "locals.tf", f'''locals {{
  name_prefix = "{prefix}-${{var.environment}}"
  common_tags = {_tags(rng)}
  model_arns  = [for model in var.allowed_models : "arn:aws:bedrock:${{var.region}}::foundation-model/${{model}}"]
  extra_tags  = merge(local.common_tags, {{ service = "{service}", stack = "{stack:02d}" }})
}}
''')
    secrets = ""
    for number in range(rng.randrange(1, 5)):
        name = f"{service}_{number}"
        secrets += f'''
# {name}: the {service} API key of {prefix}, read by the rotator and the app role.
resource "aws_secretsmanager_secret" "{name}" {{
  name                    = "${{local.name_prefix}}/{name}-api-key"
  description             = "API key for {service} used by {prefix}"
  recovery_window_in_days = {rng.choice((0, 7, 30))}
  tags                    = merge(local.common_tags, {{ purpose = "{service}", index = "{number}" }})
}}
'''
        if rng.random() < 0.5:
            secrets += f'''
resource "aws_secretsmanager_secret_rotation" "{name}" {{
  secret_id           = aws_secretsmanager_secret.{name}.id
  rotation_lambda_arn = aws_lambda_function.rotator.arn

  rotation_rules {{
    automatically_after_days = {rng.choice((7, 30, 60, 120))}
  }}
}}
'''
    _write(folder / "main.tf", f'''# Stack {prefix}: credentials of the {service} service.
# Owned by the platform team; see the runbook before changing rotation settings.

terraform {{
  required_version = ">= 1.5"
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }}
  }}
}}

provider "aws" {{
  region = var.region
  default_tags {{
    tags = local.common_tags
  }}
}}

module "ci_key" {{
  source        = "../../modules/ai-key"
  name          = "${{local.name_prefix}}-ci"
  tags          = local.extra_tags
  rotation_days = {rng.choice((30, 45, 90, 365))}
}}
{secrets}
resource "aws_lambda_function" "rotator" {{
  function_name = "${{local.name_prefix}}-rotator"
  role          = aws_iam_role.app.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "rotator.zip"
  timeout       = 30

  environment {{
    variables = {{
      SECRET_ARN = aws_secretsmanager_secret.{service}_0.arn
      LOG_LEVEL  = "info"
      REGION     = var.region
    }}
  }}

  tags = local.extra_tags
}}
''')
    actions = '"*"' if wildcard else '["bedrock:InvokeModel", "secretsmanager:GetSecretValue"]'
    _write(folder / "iam.tf", f'''resource "aws_iam_role" "app" {{
  name               = "${{local.name_prefix}}-app"
  tags               = local.extra_tags
  assume_role_policy = <<-JSON
    {{
      "Version": "2012-10-17",
      "Statement": [{{
        "Effect": "Allow",
        "Principal": {{"Service": "lambda.amazonaws.com"}},
        "Action": "sts:AssumeRole"
      }}]
    }}
  JSON
}}

resource "aws_iam_role_policy" "app" {{
  name = "invoke-models"
  role = aws_iam_role.app.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect   = "Allow"
        Action   = {actions}
        Resource = local.model_arns
      }},
      {{
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [aws_secretsmanager_secret.{service}_0.arn]
      }},
    ]
  }})
}}

''' + _batch_users(service, prefix, wildcard, rng))
    _write(folder / "azure.tf", f'''resource "azurerm_resource_group" "ai" {{
  name     = "rg-${{local.name_prefix}}"
  location = "westeurope"
  tags     = local.common_tags
}}

resource "azurerm_cognitive_account" "openai" {{
  name                  = "oai-${{local.name_prefix}}"
  location              = azurerm_resource_group.ai.location
  resource_group_name   = azurerm_resource_group.ai.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  local_auth_enabled    = {str(rng.random() < 0.5).lower()}
  custom_subdomain_name = "oai-{prefix}"
  tags                  = merge(local.common_tags, {{ workload = "{service}" }})
}}

resource "azurerm_key_vault_secret" "openai_key" {{
  name            = "openai-api-key"
  value           = azurerm_cognitive_account.openai.primary_access_key
  key_vault_id    = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-{team:03d}"
  expiration_date = "{rng.choice(("2026-12-31T00:00:00Z", "2027-06-30T00:00:00Z", "2030-01-01T00:00:00Z"))}"
  tags            = local.common_tags
}}
''' + "".join(f'''
resource "azurerm_cognitive_deployment" "model_{n}" {{
  name                 = "{model}"
  cognitive_account_id = azurerm_cognitive_account.openai.id

  model {{
    format  = "OpenAI"
    name    = "{model}"
    version = "{rng.choice(("2024-05-13", "2024-07-18", "1"))}"
  }}

  sku {{
    name     = "Standard"
    capacity = {rng.randrange(1, 120)}
  }}
}}

resource "azurerm_role_assignment" "openai_user_{n}" {{
  scope                = azurerm_cognitive_account.openai.id
  role_definition_name = "{rng.choice(("Cognitive Services OpenAI User", "Contributor", "Owner"))}"
  principal_id         = "00000000-0000-0000-0000-{n:012d}"
}}
''' for n, model in enumerate(rng.sample(("gpt-4o", "gpt-4o-mini", "text-embedding-3-large", "gpt-35-turbo"), rng.randrange(1, 4)))))
    _write(folder / "gcp.tf", f'''resource "google_service_account" "vertex" {{
  account_id   = "{prefix[:20]}-vx"
  display_name = "Vertex AI pipelines for {service}"
  project      = "proj-{team:03d}"
}}

resource "google_project_iam_member" "vertex_user" {{
  project = "proj-{team:03d}"
  role    = "{rng.choice(("roles/aiplatform.user", "roles/owner", "roles/editor"))}"
  member  = "serviceAccount:${{google_service_account.vertex.email}}"
}}

resource "google_service_account_key" "vertex" {{
  service_account_id = google_service_account.vertex.name
}}
''' + "".join(f'''
resource "google_service_account" "pipeline_{n}" {{
  account_id   = "{prefix[:18]}-p{n}"
  display_name = "Pipeline {n} of {service}"
  description  = "Runs scheduled {rng.choice(("embedding", "batch prediction", "fine-tuning"))} jobs"
  project      = "proj-{team:03d}"
}}

resource "google_project_iam_member" "pipeline_{n}" {{
  project = "proj-{team:03d}"
  role    = "{rng.choice(("roles/aiplatform.user", "roles/aiplatform.admin", "roles/storage.objectViewer"))}"
  member  = "serviceAccount:${{google_service_account.pipeline_{n}.email}}"
}}
''' for n in range(rng.randrange(0, 3))) + f'''

resource "google_apikeys_key" "gemini" {{
  name         = "gemini-{prefix}"
  display_name = "Gemini key (owner: {rng.choice(TEAMS) or "nobody"})"
  project      = "proj-{team:03d}"

  restrictions {{
    api_targets {{
      service = "generativelanguage.googleapis.com"
    }}
  }}
}}
''')
    _write(folder / "outputs.tf", f'''output "role_arn" {{
  value = aws_iam_role.app.arn
}}

output "secret_arn" {{
  value       = aws_secretsmanager_secret.{service}_0.arn
  description = "ARN of the {service} secret"
}}

output "ci_user" {{
  value = module.ci_key.user_arn
}}
''')
    _write(folder / "terraform.tfvars", f'''environment    = "{env}"
region         = "{rng.choice(("us-east-1", "eu-west-1"))}"
allowed_models = ["anthropic.claude-3-haiku", "{rng.choice(("meta.llama3-8b", "amazon.titan-embed-text-v2"))}"]
''')
    return ROOT_FILES


def _batch_users(service: str, prefix: str, wildcard: bool, rng: random.Random) -> str:
    text = ""
    for number in range(rng.randrange(1, 4)):
        user = f"batch_{number}"
        action = "bedrock:*" if wildcard and number == 0 else "bedrock:InvokeModel"
        resource = "*" if wildcard and number == 0 else "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2"
        text += f'''
resource "aws_iam_user" "{user}" {{
  name = "${{local.name_prefix}}-{user}"
  path = "/batch/"
  tags = {_tags(rng)}
}}

resource "aws_iam_access_key" "{user}" {{
  user = aws_iam_user.{user}.name
}}

resource "aws_iam_user_policy" "{user}" {{
  name   = "{user}-{service}"
  user   = aws_iam_user.{user}.name
  policy = <<POLICY
{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "Invoke{number}",
      "Effect": "Allow",
      "Action": ["{action}"],
      "Resource": "{resource}"
    }},
    {{
      "Sid": "ReadOwnSecret{number}",
      "Effect": "Allow",
      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:{prefix}-*"
    }}
  ]
}}
POLICY
}}
'''
    return text


def _manifest(index: int, rng: random.Random) -> str:
    service = _name(rng)
    namespace = f"ns-{index % 40:02d}"
    app = f"{service}-app-{index:05d}"
    owner = rng.choice(TEAMS)
    labels = f"\n  labels:\n    app: {app}" + (f"\n    owner: {owner}" if owner else "")
    env_name = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "hf": "HF_TOKEN"}.get(service, f"{service.upper()}_TOKEN")
    documents = [
        f'''apiVersion: v1
kind: Secret
metadata:
  name: {app}-credentials
  namespace: {namespace}{labels}
  annotations:
    iac-guard.io/rotation-period: "{rng.choice(("30d", "12h", "180d"))}"
type: Opaque
stringData:
  username: svc-{index}
  endpoint: https://{service}.example.com/v1''',
        f'''apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app}
  namespace: {namespace}{labels}''',
        f'''apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {namespace}{labels}
spec:
  replicas: {rng.randrange(1, 5)}
  selector:
    matchLabels:
      app: {app}
  template:
    metadata:
      labels:
        app: {app}
    spec:
      serviceAccountName: {app}
      containers:
        - name: main
          image: ghcr.io/example/{service}:{rng.randrange(1, 9)}.{rng.randrange(0, 20)}.0
          ports:
            - containerPort: 8080
          env:
            - name: {env_name}
              valueFrom:
                secretKeyRef:
                  name: {app}-credentials
                  key: username
            - name: LOG_LEVEL
              value: info
          resources:
            limits:
              cpu: 500m
              memory: 512Mi
          volumeMounts:
            - name: creds
              mountPath: /var/run/secrets/{service}
              readOnly: true
      volumes:
        - name: creds
          secret:
            secretName: {app}-credentials''',
    ]
    if rng.random() < 0.6:
        verbs = '["*"]' if rng.random() < 0.2 else '["get", "list", "watch"]'
        documents.append(f'''apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {app}-reader
  namespace: {namespace}
rules:
  - apiGroups: [""]
    resources: ["secrets", "configmaps"]
    verbs: {verbs}''')
        documents.append(f'''apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {app}-reader
  namespace: {namespace}
subjects:
  - kind: ServiceAccount
    name: {app}
    namespace: {namespace}
roleRef:
  kind: Role
  name: {app}-reader
  apiGroup: rbac.authorization.k8s.io''')
    for extra in range(rng.randrange(1, 4)):
        data = "\n".join(f'  key_{k}: "{rng.randrange(10**6)}"' for k in range(rng.randrange(3, 12)))
        documents.append(f'''apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config-{extra}
  namespace: {namespace}
data:
{data}''')
    return "---\n".join(doc + "\n" for doc in documents)



def _write_app(out: Path, index: int, rng: random.Random) -> None:
    """One application's build, local and CI files; about a third hold a literal key somewhere."""
    service = _name(rng)
    env_name = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "hf": "HF_TOKEN"}.get(service, f"{service.upper()}_API_KEY")
    key = "sk-proj-" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(48))
    leaky = rng.random() < 0.35
    folder = out / "apps" / f"app-{index:04d}"
    build_secret = f"RUN --mount=type=secret,id={env_name.lower()} python -m {service}.prefetch"
    _write(folder / "Dockerfile", f"""FROM python:3.12-slim
ARG APP_VERSION={rng.randrange(1, 9)}.{rng.randrange(0, 20)}.0
{f"ARG {env_name}" if leaky else build_secret}
ENV LOG_LEVEL=info PORT={rng.randrange(8000, 9000)}
COPY . /app
CMD ["python", "-m", "{service}"]
""")
    _write(folder / "docker-compose.yml", f"""services:
  {service}:
    build: .
    env_file: [.env]
    environment:
      {env_name}: ${{{env_name}}}
      QUEUE_URL: redis://queue:6379/{index % 16}
  queue:
    image: redis:7
""")
    _write(folder / ".env", f"{env_name}={key if leaky else ''}\nLOG_LEVEL=debug\n")
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "source": [f"import {service}\n", "client.evaluate()\n"],
              "outputs": [{"name": "stdout", "output_type": "stream", "text": [f"score={rng.random():.3f}\n"]}]}]
    _write(folder / "notebooks" / "eval.ipynb", json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1))
    _write(folder / ".mcp.json", json.dumps({"mcpServers": {service: {"command": "uvx", "args": [f"{service}-mcp"],
                                                                      "env": {env_name: f"${{{env_name}}}"}}}}, indent=2))
    _write(out / ".github" / "workflows" / f"app-{index:04d}.yml", f"""name: app-{index:04d}
on: {{push: {{paths: ["apps/app-{index:04d}/**"]}}}}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m pytest apps/app-{index:04d}
        env:
          {env_name}: ${{{{ secrets.{env_name} }}}}
""")


if __name__ == "__main__":
    main()
