"""Every AWS error message the fake produces, in one place.

Texts marked [R] were recorded from the live service; [I] quoted from real AWS output in an
issue thread; [F] seen only in other fakes; [U] unverified, chosen by smfake (see README's
Limitations). References are to sections of the project's AWS behaviour reference.
"""

from __future__ import annotations

# §2.2, §18 [R]
SECRET_NOT_FOUND = "Secrets Manager can't find the specified secret."
STAGE_NOT_FOUND = "Secrets Manager can't find the specified secret value for staging label: {label}"
VERSION_NOT_FOUND = (
    "Secrets Manager can't find the specified secret value for VersionId: {version_id}"
)
STAGE_NOT_ON_VERSION = (
    "You provided a VersionStage that is not associated to the provided VersionId."
)
INVALID_NAME = (
    "Invalid name. Must be a valid name containing alphanumeric characters, "
    "or any of the following: -/_+=.@!"
)

# §1, §5 [R]
TOKEN_REQUIRED = "You must provide a ClientRequestToken value. We recommend a UUID-type value."
TOKEN_IN_USE = (
    "You can't use ClientRequestToken {token} because that value is already in use "
    "for a version of secret {arn}."
)
SECRET_EXISTS = "The operation failed because the secret {name} already exists."

# §6 [R]
MARKED_FOR_DELETION = (
    "You can't perform this operation on the secret because it was marked for deletion."
)
NAME_SCHEDULED_FOR_DELETION = (
    "You can't create this secret because a secret with this name is already scheduled "
    "for deletion."
)
# §6 [I] (getmoto/moto#6461 quotes AWS for RecoveryWindowInDays=0); [R] also with ForceDeleteWithoutRecovery
RECOVERY_WINDOW_RANGE = "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."
# §6 [F]
FORCE_WITH_WINDOW = (
    "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays."
)

# §18 PutSecretValue [I], CreateSecret [F]
VALUE_REQUIRED = "You must provide either SecretString or SecretBinary."
BOTH_VALUES = (
    "You can't specify both a binary secret value and a string secret value in the same secret."
)

# §4.2 [R] / [I] (the second uses AWS's typographic apostrophe)
REMOVE_FROM_REQUIRED = (
    "The parameter RemoveFromVersionId can't be empty. Staging label {label} is currently "
    "attached to version {version_id}, so you must explicitly reference that version in "
    "RemoveFromVersionId."
)
CURRENT_CANNOT_BE_REMOVED = (
    "You can only move staging label AWSCURRENT to a different secret version. "
    "It can\u2019t be completely removed."
)
# §4.2 [F] (floci#3247)
REMOVE_FROM_MISMATCH = (
    "When you move staging label {label}, if you specify RemoveFromVersionId, it must be set "
    "to the version that currently has the staging label {label}."
)

# Quotas: AWS's exact wording is unknown [U]
VERSION_QUOTA = (
    "You have exceeded the maximum number of versions ({limit}) allowed for this secret. "
    "Remove staging labels from versions you no longer need; Secrets Manager deletes "
    "deprecated versions that are at least 24 hours old."
)
STAGES_PER_SECRET_QUOTA = (
    "You can't attach more than {limit} staging labels to the versions of a secret."
)
TAG_QUOTA = "You can't attach more than {limit} tags to a secret."
# [I] cloud-custodian/cloud-custodian#9093 (TagResource re-sending a system tag)
TAG_RESERVED_PREFIX = "You can't modify system tags. Tag key: '{key}'."
INVALID_NEXT_TOKEN = "The NextToken value is invalid."

# Generic AWS model-constraint failures (§1): "{n} validation error(s) detected: ..."
VALIDATION_PREFIX = "{count} validation error{plural} detected: "
VALIDATION_ITEM = "Value '{value}' at '{path}' failed to satisfy constraint: {rule}"
VALIDATION_ITEM_NULL = (
    "Value null at '{path}' failed to satisfy constraint: Member must not be null"
)
# Sensitive members never echo their value.
VALIDATION_ITEM_SENSITIVE = "Value at '{path}' failed to satisfy constraint: {rule}"
RULE_MAX_LENGTH = "Member must have length less than or equal to {limit}"
RULE_MIN_LENGTH = "Member must have length greater than or equal to {limit}"
RULE_MAX_VALUE = "Member must have value less than or equal to {limit}"
RULE_MIN_VALUE = "Member must have value greater than or equal to {limit}"
RULE_PATTERN = "Member must satisfy regular expression pattern: {pattern}"
RULE_ENUM = "Member must satisfy enum value set: [{values}]"

# Wire-level [U]: raw requests that botocore would never send
SERIALIZATION = "Start of structure or map found where not expected."
UNKNOWN_OPERATION = "The requested operation {operation} is not supported by this service."
# A list item without its one identifying member, which the model leaves optional: only raw
# HTTP callers send one, AWS's answer is unknown [U].
TAG_KEY_MISSING = "You must provide a Key for each tag."
REPLICA_REGION_MISSING = "You must provide a Region for each replica Region."

# -- ListSecrets / BatchGetSecretValue (§8, §9) ---------------------------------------------
# §8 [F] (moto)
INVALID_FILTER_KEY = "Invalid filter key"
INVALID_FILTER_VALUES = "Invalid filter values for key: {key}"
# §9 [F] (moto); also given when neither is provided, which AWS refuses with the same code [I]
ID_LIST_OR_FILTERS = "Either 'SecretIdList' or 'Filters' must be provided, but not both."
MAX_RESULTS_WITHOUT_FILTERS = (
    "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided."
)

# -- GetRandomPassword (§12) ------------------------------------------------------------------
# §12 [F] moto (which refuses any length below 4; smfake counts the types actually required)
PASSWORD_TOO_SHORT = "Password length is too short based on the required types."
# §12, §20.7 [U]: exclusions that leave no character at all; AWS's answer is unknown
PASSWORD_NOTHING_TO_DRAW = "Password can't be generated because every character is excluded."

# -- Resource policies (§11) ------------------------------------------------------------------
# [D] awsdocs/aws-secrets-manager-docs doc_source/manage_secret-policy.md, the errors of the
# console's validation (which calls ValidateResourcePolicy); the API is taken to use the same
# texts. A 2020 witness quoted an older wording of the first for Version "2019-10-19":
# "This policy has invalid syntax." [I] (awsdocs/aws-cloudformation-user-guide#623).
POLICY_SYNTAX_ERROR = "This resource policy contains a syntax error."
POLICY_UNSUPPORTED_PRINCIPAL = "This resource policy contains an unsupported principal."
POLICY_BROAD_ACCESS = "This resource policy grants broad access to your secret. Secrets Manager does not allow creating and applying such policies in the console."
POLICY_LOCKOUT = "Your requested changes will not allow you to manage this secret in the future."
# [D] same page, PutResourcePolicy with --block-public-policy (the page names the code
# BlockPublicPolicyException; the model declares only PublicPolicyException)
PUBLIC_POLICY_BLOCKED = (
    "You can't attach a resource-based policy that allows broad access to the secret."
)
# [U] PolicyName other than "default" (the model documents the error codes only)
POLICY_NAME_NOT_ALLOWED = "You can only use the resource policy named default."
POLICY_NAME_NOT_FOUND = "Secrets Manager can't find the specified resource policy."

# -- KMS (§13) --------------------------------------------------------------------------------
# [M] the model's documentation of the two errors; the runtime wording is unverified.
DECRYPTION_FAILURE = (
    "Secrets Manager can't decrypt the protected secret text using the provided KMS key."
)
ENCRYPTION_FAILURE = "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state."

# -- Rotation (§7) ------------------------------------------------------------------------------
# [R]
NO_ROTATION_LAMBDA = "No Lambda rotation function ARN is associated with this secret."
CANNOT_INVOKE_LAMBDA = "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com."
# [I] aws/aws-cdk#28539
ROTATION_IN_PROGRESS = "A previous rotation isn't complete. That rotation will be reattempted."

# [U] managed external secrets (AWS_SPEC_1_44 §A10: AWS documents none of these refusals)
EXTERNAL_ROTATION_WITHOUT_TYPE = "You can't specify ExternalSecretRotationMetadata or ExternalSecretRotationRoleArn for a secret that has no Type."
LAMBDA_FOR_EXTERNAL_SECRET = "You can't specify RotationLambdaARN for a managed external secret: the partner of Type {type} rotates it."
NO_EXTERNAL_ROTATION_ROLE = (
    "No ExternalSecretRotationRoleArn is associated with this managed external secret."
)
EXTERNAL_METADATA_ITEM = "Each item of ExternalSecretRotationMetadata must have a Key and a Value."

# -- Rotation schedules (§7.1) ----------------------------------------------------------------
# [I] hashicorp/terraform-provider-aws#33329
ROTATION_DAYS_AND_SCHEDULE = (
    "You cannot specify both rotation frequency and schedule expression together."
)
# [F] moto (AutomaticallyAfterDays outside the model's 1-1000)
ROTATION_DAYS_RANGE = "RotationRules.AutomaticallyAfterDays must be within 1-1000."
# [U] smfake's choices: no AWS output was found for these refusals
ROTATION_RULES_EMPTY = (
    "You must specify either AutomaticallyAfterDays or ScheduleExpression in RotationRules."
)
SCHEDULE_INVALID = "Invalid ScheduleExpression {expression}. Use a rate() or cron() expression."
SCHEDULE_TOO_FREQUENT = (
    "Invalid ScheduleExpression {expression}. You can rotate a secret as often as every four hours."
)
RATE_INVALID = "Invalid rate expression {expression}. Use rate(Value Unit), where Value is a positive integer and Unit is hour, hours, day or days."
RATE_HOURS_RANGE = "Invalid rate expression {expression}. A rate in hours must be between 4 and 23 hours; use a rate in days for longer periods."
RATE_DAYS_RANGE = "Invalid rate expression {expression}. The maximum rotation period is 999 days."
CRON_FIELD_COUNT = "Invalid cron expression {expression}. Use cron(Minutes Hours Day-of-month Month Day-of-week Year)."
CRON_MINUTES = "Invalid cron expression {expression}. The Minutes field must be 0."
CRON_YEAR = "Invalid cron expression {expression}. The Year field must be *."
CRON_DAY_FIELDS = "Invalid cron expression {expression}. Use ? in exactly one of the Day-of-month and Day-of-week fields."
CRON_FIELD_INVALID = "Invalid cron expression {expression}. The {field} field {value} is not valid."
CRON_NEVER_MATCHES = "Invalid cron expression {expression}. The expression never matches a date."
DURATION_INVALID = "Invalid Duration {duration}. The rotation window must be between 1h and 24h."
DURATION_INTO_NEXT_WINDOW = "Invalid Duration {duration}. The rotation window must not extend into the next rotation window."
DURATION_INTO_NEXT_DAY = (
    "Invalid Duration {duration}. The rotation window must not extend into the next UTC day."
)

# -- Replication (§10) ------------------------------------------------------------------------
# [I] lgallard/terraform-aws-secrets-manager#188 (PutResourcePolicy on a replica)
REPLICA_READ_ONLY = (
    "Operation not permitted on a replica secret. Call must be made in primary secret's region."
)
# [I] gruntwork-io/cloud-nuke#435: regions joined by ", " inside brackets
PRIMARY_HAS_REPLICAS = "You can't delete secret {arn} that still has replica regions [{regions}]."
# [M] the model's example failure text
REPLICA_NAME_TAKEN = "Secret with this name already exists in this region"
# [U] smfake's choices
REPLICA_KEY_UNUSABLE = "The KMS key in this region can't be used to encrypt the secret"
REPLICA_IN_OWN_REGION = "Invalid replica region: {region} is the primary region of the secret."
NOT_A_REPLICA = "The secret {name} is not a replica secret."
REPLICATION_SUCCEEDED = "Replication succeeded"

# -- Cross-account replication (1.44 §A2-§A6) -------------------------------------------------
# [U] all of them: AWS publishes no text for the new surface (AWS_SPEC_1_44 §A9).
CROSS_ACCOUNT_REPLICA_READ_ONLY = (
    "Operation not permitted on a cross-account replica secret. "
    "Make the change to its primary secret {primary}."
)
CROSS_ACCOUNT_REPLICA_UNDELETABLE = (
    "You can't delete secret {arn} while it is a cross-account replica. "
    "Call StopReplicationToReplica first."
)
PRIMARY_HAS_CROSS_ACCOUNT_REPLICAS = (
    "You can't delete secret {arn} that still has cross-account replicas [{replicas}]. "
    "Call DisassociateCrossAccountReplica first."
)
CROSS_ACCOUNT_FORBIDDEN_MEMBER = (
    "You can't specify {member} when you create a cross-account replica secret."
)
CROSS_ACCOUNT_KEY_REQUIRED = (
    "You must specify a customer managed KMS key in KmsKeyId to create a cross-account "
    "replica secret. The AWS managed key aws/secretsmanager can't be used across accounts."
)
CROSS_ACCOUNT_ARN_INVALID = "{member} must be the full ARN of a secret, got {arn}."
CROSS_ACCOUNT_REGION_MISMATCH = (
    "The primary secret and its cross-account replica must be in the same Region and "
    "partition. {member} is in {region}; this request is in {here}."
)
CROSS_ACCOUNT_SAME_ACCOUNT = (
    "{member} must name a secret in another AWS account. To replicate within your account, "
    "use ReplicateSecretToRegions."
)
CROSS_ACCOUNT_NOT_REPLICA_OF = (
    "The secret {replica} isn't a cross-account replica of the primary secret {primary}."
)
CROSS_ACCOUNT_REPLICA_LIMIT = (
    "The primary secret {arn} already has a cross-account replica ({existing}). "
    "A primary secret can have only one."
)
CROSS_ACCOUNT_SOURCE_IS_REPLICA = "The secret {arn} is a replica and can't be a primary secret."
CROSS_ACCOUNT_NOT_SAME_ORG = (
    "The account of the replica secret {replica} isn't in the same AWS Organization as the "
    "primary secret's account. Use ReplicaRestriction NoRestriction to replicate outside it."
)
CROSS_ACCOUNT_NOT_ASSOCIATED = (
    "The secret {replica} isn't a cross-account replica of the primary secret {primary}."
)
CROSS_ACCOUNT_KEY_UNUSABLE = (
    "Replication failed: the KMS key of the replica secret can't be used to encrypt its value."
)
CROSS_ACCOUNT_KEY_DENIED = (
    "Replication failed: {identity} isn't allowed to perform kms:Encrypt on the KMS key of "
    "the replica secret."
)
CROSS_ACCOUNT_REPLICA_GONE = "Replication failed: the replica secret no longer exists."
CROSS_ACCOUNT_PRIMARY_UNREADABLE = (
    "Replication failed: the primary secret's value can't be decrypted with its KMS key."
)
CROSS_ACCOUNT_ROLE_INVALID = (
    "ReplicationRoleARN must be the ARN of an IAM role in the primary secret's account, got {arn}."
)

# -- Common AWS errors: throttling, availability, authentication (§1, §19) ---------------------
# [I] aws-secretsmanager-caching issues and botocore threads quote these for this service.
RATE_EXCEEDED = "Rate exceeded"
UNRECOGNIZED_CLIENT = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
SIGNATURE_EXPIRED = "Signature expired: {signed} is now earlier than {earliest} ({now} - 5 min.)"
SIGNATURE_NOT_YET_CURRENT = (
    "Signature not yet current: {signed} is still later than {latest} ({now} + 5 min.)"
)
# [D] AWS common errors page.
MISSING_AUTHENTICATION_TOKEN = "Missing Authentication Token"
INTERNAL_FAILURE = (
    "The request processing has failed because of an unknown error, exception or failure."
)
# [U] defaults for injected errors whose AWS text is not on record.
SERVICE_UNAVAILABLE = "Service Unavailable"
REQUEST_TIMEOUT = "Request timed out"
INJECTED_VALIDATION = "1 validation error detected"
INJECTED_INCOMPLETE_SIGNATURE = "Authorization header requires 'Signature' parameter."

# -- SigV4 verification (strict mode) --------------------------------------------------------
# [I] awsJson services answer these with HTTP 400 and a lower-case `message`. Secrets Manager's
# MissingAuthenticationTokenException body is 89 bytes (aws/aws-sdk-cpp#2407): no
# "com.amazon.coral.service#" prefix. Order and texts: DynamoDB bodies quoted in
# architect/dynalite (index.js comments; test/connection.js was run against AWS).
# Pieces are concatenated into one message, each ending with ". " (brendanhay/amazonka#316).
AUTH_REQUIRES_PARAMETER = "Authorization header requires '{name}' parameter. "
AUTH_REQUIRES_DATE = (
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
)
AUTH_HEADER_ECHO = "Authorization={header}"
# [I] awslabs/fhir-works-on-aws-deployment#379 (DynamoDB), iann0036/cloud9-sync#10.
AUTH_PAIR_WITHOUT_EQUALS = (
    "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
)
# [I] DynamoDB bodies quoted in architect/dynalite index.js.
DATE_NOT_BASIC_FORMAT = "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
UNSUPPORTED_ALGORITHM = (
    "Unsupported AWS 'algorithm': '{algorithm}' (only AWS4-HMAC-SHA256 for now). "
)
CREDENTIAL_NOT_FIVE_PARTS = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
# [I] aws/aws-sdk-php#2469 (DynamoDB, 2022).
HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
# [D] "You must include the host header and any x-amz-* headers in the signature" (IAM user
# guide, Create a signed AWS API request). Text unverified: the Host message's form, as the
# scratchstack-aws-signature crate words it for other required headers [F].
HEADER_NOT_SIGNED = "'{header}' must be a 'SignedHeader' in the AWS Authorization."
# [I] arnemolland/sigv4#15, joona/aws-es-curl#15 (note the trailing space), dynalite.
SCOPE_REGION = "Credential should be scoped to a valid region, not '{region}'. "
SCOPE_SERVICE = "Credential should be scoped to correct service: '{service}'. "
SCOPE_TERMINATOR = (
    "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
)
SCOPE_DATE = "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{date}', from '{timestamp}'."
# [I] Secrets Manager appends what it computed: aws/aws-sdk-net#3978 (2025), boto/boto#1552.
SIGNATURE_MISMATCH_DETAIL = (
    "\n\nThe Canonical String for this request should have been\n'{canonical}'"
    "\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
)
# [F] presigned (query-string) requests; texts of the scratchstack-aws-signature crate.
QUERY_REQUIRES_PARAMETER = "AWS query-string parameters must include '{name}'. "
QUERY_REEXAMINE = "Re-examine the query-string parameters."

# -- Access control --------------------------------------------------------------------------
# AccessDeniedException texts of IAM policy evaluation (smfake/_domain/access.py).
# [D] IAM User Guide, troubleshoot_access-denied: "User: <arn> is not authorized to perform:
# <action> on resource: <resource>" then "with an explicit deny in a <type>" or "because no
# <type> allows the <action> action", for identity-based policy, resource-based policy (its
# example is secretsmanager:GetSecretValue), permissions boundary and session policy; only one
# policy type is named when several deny.
# [I] from Secrets Manager: binbashar/le-tf-infra-aws#874 and mongodb/awscdk-resources-
# mongodbatlas#207 (identity, implicit), cloud-custodian/cloud-custodian#10055 (resource-based,
# explicit), Kralizek/AWSSecretsManagerConfigurationExtensions#76 (boundary, implicit) and #78
# (ListSecrets: account-level actions have no " on resource:" part). The resource is the
# SecretId as the caller gave it (#207 and #10055 show bare names).
# [I] "with an explicit deny in a session policy" in AWS output quoted in public code (the
# IAM page's own example misspells it "a sessions policy").
# {on_resource} is ACCESS_DENIED_ON_RESOURCE filled in, or "" for resource "*".
ACCESS_DENIED_ON_RESOURCE = " on resource: {resource}"
ACCESS_DENIED_IMPLICIT_IDENTITY = "User: {principal} is not authorized to perform: {action}{on_resource} because no identity-based policy allows the {action} action"
ACCESS_DENIED_EXPLICIT_IDENTITY = "User: {principal} is not authorized to perform: {action}{on_resource} with an explicit deny in an identity-based policy"
ACCESS_DENIED_IMPLICIT_RESOURCE = "User: {principal} is not authorized to perform: {action}{on_resource} because no resource-based policy allows the {action} action"
ACCESS_DENIED_EXPLICIT_RESOURCE = "User: {principal} is not authorized to perform: {action}{on_resource} with an explicit deny in a resource-based policy"
ACCESS_DENIED_IMPLICIT_BOUNDARY = "User: {principal} is not authorized to perform: {action}{on_resource} because no permissions boundary allows the {action} action"
ACCESS_DENIED_EXPLICIT_BOUNDARY = "User: {principal} is not authorized to perform: {action}{on_resource} with an explicit deny in a permissions boundary"
ACCESS_DENIED_IMPLICIT_SESSION = "User: {principal} is not authorized to perform: {action}{on_resource} because no session policy allows the {action} action"
ACCESS_DENIED_EXPLICIT_SESSION = "User: {principal} is not authorized to perform: {action}{on_resource} with an explicit deny in a session policy"
# [I] IAM CreatePolicy on a document with Principal (hashicorp/terraform-provider-aws#10419).
IDENTITY_POLICY_HAS_PRINCIPAL = "Policy document should not specify a principal."
# [I] aws-samples/aws-secrets-manager-rotation-lambdas#53, external-secrets/external-secrets#390:
# what Secrets Manager answers when KMS refuses to decrypt or encrypt for the caller.
KMS_ACCESS_DENIED = "Access to KMS is not allowed"
