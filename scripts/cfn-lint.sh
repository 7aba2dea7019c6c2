#!/usr/bin/env bash
# Lints the CloudFormation template of every Kafka source mode with cfn-lint.
#
#   scripts/cfn-lint.sh              synthesize each variant below with `cdk synth` (no bundling:
#                                    cfn-lint reads templates, not code) into cdk.out/lint/<variant>,
#                                    then lint every template
#   scripts/cfn-lint.sh --no-synth   lint the templates already in cdk.out/lint (or CFN_LINT_DIR)
#
# cfn-lint comes from PyPI, pinned, into .local/cfn-lint-venv on first use (python3 with venv and
# pip needed once; no network afterwards). Exits non-zero on any cfn-lint error or warning, or on
# any synth failure (which includes unacknowledged cdk-nag findings).
#
# Environment: CFN_LINT_VERSION (default below), CFN_LINT_DIR (default cdk.out/lint).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.local/cfn-lint-venv"
VERSION="${CFN_LINT_VERSION:-1.58.0}"
OUT="${CFN_LINT_DIR:-$ROOT/cdk.out/lint}"

log() { printf 'cfn-lint.sh: %s\n' "$*" >&2; }
die() {
  printf 'cfn-lint.sh: error: %s\n' "$*" >&2
  exit 1
}

install_cfn_lint() {
  if [[ -x "$VENV/bin/cfn-lint" ]] && [[ "$("$VENV/bin/cfn-lint" --version 2>/dev/null)" == "cfn-lint $VERSION" ]]; then
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 not found; install Python 3.9+ (cfn-lint is a Python tool)"
  log "installing cfn-lint $VERSION into $VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed; install the venv module (e.g. apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$VERSION" ||
    die "pip could not install cfn-lint==$VERSION from PyPI"
}

# Dummy but well-formed ids: synth needs no AWS account, and nothing here is looked up.
ARN_CLUSTER='arn:aws:kafka:eu-west-1:123456789012:cluster/prod/0b3cb6fd-52d0-4bf2-9d1e-1f3c5f4b2e1a-3'
ARN_SECRET='arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-rides-AbCdEf'
ARN_KEY='arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'
VPC=(-c vpcId=vpc-0abc1234 -c subnetIds=subnet-0aa,subnet-0bb)
# Existing MSK: where the functions that write topics run (the mapping uses the cluster's network).
MSK_PRODUCERS=(-c vpcId=vpc-0abc1234 -c subnetIds=subnet-0aa,subnet-0bb -c securityGroupIds=sg-0feed123)
# A deployment of a subset of the handlers (-c handlers=...): the ones that read, no producers.
READ_ONLY_HANDLERS='rides-count-by-dropoff,rides-tumbling-by-pickup,rides-hopping-by-vendor,zones-table,orders-by-state'

# name|cdk context arguments (one variant per source mode and network shape)
VARIANTS=(
  "msk-serverless|"
  "msk-serverless-no-nat|-c natGateways=0"
  "msk-serverless-existing-vpc|${VPC[*]} -c pollerMode=provisioned -c pollerGroupName=rides"
  "msk-serverless-env|-c account=123456789012 -c region=eu-west-1"
  "msk-iam|-c mode=msk -c clusterArn=$ARN_CLUSTER ${MSK_PRODUCERS[*]}"
  "msk-scram|-c mode=msk -c clusterArn=$ARN_CLUSTER -c auth=scram-512 -c secretArn=$ARN_SECRET -c secretKmsKeyArn=$ARN_KEY ${MSK_PRODUCERS[*]}"
  "msk-mtls|-c mode=msk -c clusterArn=$ARN_CLUSTER -c auth=mtls -c secretArn=$ARN_SECRET ${MSK_PRODUCERS[*]}"
  "msk-iam-read-only|-c mode=msk -c clusterArn=$ARN_CLUSTER -c handlers=$READ_ONLY_HANDLERS"
  "confluent|-c mode=self-managed -c bootstrapServers=pkc-abc12.eu-west-1.aws.confluent.cloud:9092 -c secretArn=$ARN_SECRET"
  "self-managed-private-ca|-c mode=self-managed -c bootstrapServers=kafka.internal:9093 -c auth=scram-512 -c secretArn=$ARN_SECRET -c rootCaSecretArn=$ARN_SECRET"
  "confluent-schema-registry|-c mode=self-managed -c bootstrapServers=pkc-abc12.eu-west-1.aws.confluent.cloud:9092 -c secretArn=$ARN_SECRET -c pollerMode=provisioned -c schemaRegistryUri=https://psrc-abc12.eu-west-1.aws.confluent.cloud -c schemaRegistrySecretArn=$ARN_SECRET"
  "msk-glue-schema-registry-source|-c mode=msk -c clusterArn=$ARN_CLUSTER ${MSK_PRODUCERS[*]} -c pollerMode=provisioned -c schemaRegistryUri=arn:aws:glue:eu-west-1:123456789012:registry/rides -c schemaRegistryRecordFormat=source -c schemaRegistryValidate=key,value"
  "self-managed-vpc|-c mode=self-managed -c bootstrapServers=b-1.kafka.internal:9096,b-2.kafka.internal:9096 -c auth=scram-512 -c secretArn=$ARN_SECRET ${VPC[*]} -c securityGroupIds=sg-0123abcd"
)

# One variant: synthesize it into $OUT/<name>; its exit status in $OUT/<name>.status.
synth_one() {
  local name="$1" args="$2" started=$SECONDS status=0
  # shellcheck disable=SC2086 # args is a list of -c key=value words
  npx cdk synth --quiet -c bundling=false -o "$OUT/$name" $args >"$OUT/$name.synth.log" 2>&1 || status=$?
  echo "$status" >"$OUT/$name.status"
  ((status == 0)) && log "synthesized $name in $((SECONDS - started))s"
  return 0
}

synth_all() {
  rm -rf "$OUT"
  mkdir -p "$OUT"
  cd "$ROOT"
  # Two at a time: each synth is one mostly single-threaded Node process (CI machines have 2 cores).
  local jobs="${CFN_LINT_SYNTH_JOBS:-2}"
  for variant in "${VARIANTS[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
    synth_one "${variant%%|*}" "${variant#*|}" &
  done
  wait
  for variant in "${VARIANTS[@]}"; do
    local name="${variant%%|*}"
    [[ "$(cat "$OUT/$name.status" 2>/dev/null)" == 0 ]] ||
      die "cdk synth failed for $name (see $OUT/$name.synth.log):
$(tail -n 30 "$OUT/$name.synth.log")"
  done
}

main() {
  local synth=1
  for arg in "$@"; do
    case "$arg" in
      --no-synth) synth=0 ;;
      -h | --help)
        sed -n '2,13p' "$0"
        exit 0
        ;;
      *) die "unknown argument $arg (try --help)" ;;
    esac
  done
  install_cfn_lint
  if ((synth)); then synth_all; fi
  shopt -s nullglob
  local templates=("$OUT"/*/*.template.json)
  ((${#templates[@]} > 0)) || die "no templates in $OUT; run without --no-synth first"
  log "linting ${#templates[@]} templates with $("$VENV/bin/cfn-lint" --version)"
  # W3005 (DependsOn already implied by a GetAtt) is ignored: aws-cdk-lib's Function adds an
  # explicit DependsOn on its role on top of the Role GetAtt. Redundant, harmless, not ours.
  "$VENV/bin/cfn-lint" --format parseable --ignore-checks W3005 -- "${templates[@]}"
  log "all templates pass"
}

main "$@"
