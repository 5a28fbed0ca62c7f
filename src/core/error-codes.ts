/**
 * The one catalogue of feedproc error codes. It is the only place a MWS `ResultMessageCode` number appears.
 * Amazon's numbers are used where the meaning matches; rules Amazon documents without a
 * known number use the feedproc range 97000–97999. The table in docs/error-codes.md (npm run docs:error-codes) mirrors this object (a test checks).
 */
export type ResultCode = 'Error' | 'Warning';
/**
 * `feed`: the file as a whole is rejected; `file`: a remark about the file (message id 0) that rejects nothing;
 * `message`: one message fails or is warned about; `system`: never reaches a report.
 */
export type ErrorScope = 'feed' | 'file' | 'message' | 'system' | HttpScope;
/** `http <status> <MWS error code>`: refused at the HTTP doors, answered with that status and MWS `Error/Code`. */
export type HttpScope = `http ${number} ${string}`;

export interface ErrorCodeEntry {
  readonly resultMessageCode: number | null;
  readonly resultCode: ResultCode;
  readonly scope: ErrorScope;
  /** Report text; `{name}` placeholders are filled from the context. */
  readonly text: string;
}

const entry = (
  resultMessageCode: number | null,
  scope: ErrorScope,
  text: string,
  resultCode: ResultCode = 'Error',
): ErrorCodeEntry => Object.freeze({ resultMessageCode, resultCode, scope, text });

export const ERROR_CODES = Object.freeze({
  VALIDATE_SCHEMA: entry(5000, 'message', 'XML Parsing Error at Line {line}, Column {column}: {detail}'),
  VALIDATE_BODY_MISMATCH: entry(
    5000,
    'message',
    "XML Parsing Error at Line {line}, Column {column}: Element '{element}': the message body does not match the feed's MessageType '{messageType}'.",
  ),
  VALIDATE_FLAT_VALUE: entry(5000, 'message', 'Row {row}, column {field}: {detail}'),
  VALIDATE_FLAT_ROW: entry(5000, 'message', 'Row {row}: {detail}'),
  PARSE_MALFORMED_XML: entry(5001, 'feed', 'XML Parsing Fatal Error at Line {line}, Column {column}: {detail}'),
  PARSE_DOCTYPE: entry(
    5001,
    'feed',
    'XML Parsing Fatal Error at Line {line}, Column {column}: a DOCTYPE declaration is not allowed in a feed.',
  ),
  PARSE_BAD_ENVELOPE: entry(5001, 'feed', 'XML Parsing Fatal Error at Line {line}, Column {column}: {detail}'),
  PARSE_UNSUPPORTED_MESSAGE_TYPE: entry(
    5001,
    'feed',
    "XML Parsing Fatal Error at Line {line}, Column {column}: MessageType '{messageType}' is not supported; supported are {supported}.",
  ),
  PARSE_FEED_TYPE_MISMATCH: entry(
    5001,
    'feed',
    'The file holds a {detected} feed, but it was submitted as {requested}.',
  ),
  PARSE_BAD_ENCODING: entry(5001, 'feed', 'The file could not be decoded as {encoding}: {detail}'),
  VALIDATE_JSON_MESSAGE: entry(5000, 'message', 'JSON Validation Error at Line {line}, Column {column}: {detail}'),
  PARSE_MALFORMED_JSON: entry(5001, 'feed', 'JSON Parsing Fatal Error at Line {line}, Column {column}: {detail}'),
  PARSE_BAD_JSON_ENVELOPE: entry(5001, 'feed', 'JSON Feed Error at Line {line}, Column {column}: {detail}'),
  FLAT_MISSING_COLUMN: entry(
    90012,
    'feed',
    'The required {column} field is missing from the file. To correct this error, download the template again and use the new copy, or insert the required field into your existing file.',
  ),
  FLAT_UNKNOWN_COLUMN: entry(
    90061,
    'file',
    'The {column} field heading is invalid, so values in this field were ignored. To correct this error, download the template again and use the new copy, or fix the field heading in your existing file.',
    'Warning',
  ),
  MERCHANT_MISMATCH: entry(
    5005,
    'feed',
    'The MerchantIdentifier provided in the XML payload is not valid for your credentials: the feed names {given}, it was submitted by {merchantId}.',
  ),
  SELLER_MISMATCH: entry(
    5005,
    'feed',
    'The sellerId in the feed header is not valid for your credentials: the feed names {given}, it was submitted by {merchantId}.',
  ),
  LEDGER_ORDER_NOT_FOUND: entry(
    18028,
    'message',
    'Your order cannot be found using Merchant ID {merchantId} and {idKind} {orderId}. Enter the correct order ID and then resubmit your feed.',
  ),
  LEDGER_ITEM_NOT_FOUND: entry(
    18028,
    'message',
    'Order {orderId} has no item {itemRef} for Merchant ID {merchantId}. Enter the correct order item ID and then resubmit your feed.',
  ),
  FILE_EMPTY: entry(97001, 'feed', 'The file is empty.'),
  FILE_BINARY: entry(97002, 'feed', 'The file is not a text feed: {detail}'),
  FILE_UNKNOWN_FEED_TYPE: entry(
    97003,
    'feed',
    'The feed type could not be determined from the content: {detail}. Submit an MWS XML envelope, a tab-delimited file with a known header row or a JSON listings document, or name the type with --type.',
  ),
  FLAT_NO_DATA: entry(97004, 'feed', 'The file has a header row but no data rows.'),
  FILE_LINE_TOO_LONG: entry(97006, 'feed', 'Line {line} is longer than {limit}; no row of a feed is that long.'),
  FLAT_EXTRA_CELLS: entry(
    97005,
    'message',
    'Row {row} has {cells} cells but the header has {columns}; the extra values were ignored.',
    'Warning',
  ),
  JSON_BYTE_ORDER_MARK: entry(
    97007,
    'file',
    'The file starts with a byte order mark, which a JSON document must not have (RFC 8259 section 8.1); it was ignored.',
    'Warning',
  ),
  REPORT_RESULTS_OMITTED: entry(
    97012,
    'file',
    'This report lists the first {limit} results; {omitted} more ({errors} errors, {warnings} warnings) were left out.',
    'Warning',
  ),
  FLAT_UNKNOWN_COLUMNS: entry(
    90061,
    'file',
    'The field headings {columns} and {more} more ({total} in all) are invalid, so values in these fields were ignored. To correct this error, download the template again and use the new copy, or fix the field headings in your existing file.',
    'Warning',
  ),
  MESSAGE_TOO_MANY_ELEMENTS: entry(
    97030,
    'feed',
    'The message starting at Line {line}, Column {column} holds more than {limit} elements; no message of a feed is that large, so the feed was not read further.',
  ),
  MESSAGE_TOO_LARGE: entry(
    97031,
    'feed',
    'The message starting at Line {line}, Column {column} is longer than {limit}; no message of a feed is that large, so the feed was not read further.',
  ),
  FLAT_TOO_MANY_COLUMNS: entry(
    97032,
    'feed',
    'Line {line} has more than {limit} columns; a flat feed has at most {limit}, so the file was not read further.',
  ),
  FEED_GIVEN_UP: entry(
    97033,
    'feed',
    'Processing this file stopped {attempts} times without finishing (the process ended while it was being read: {detail}); it was given up and nothing in it was applied.',
  ),
  LISTINGS_ATTRIBUTE_NOT_KEPT: entry(
    97201,
    'message',
    'Line {line}, Column {column}: {attribute} was accepted but is not kept: {reason}.',
    'Warning',
  ),
  JSON_PROPERTY_IGNORED: entry(
    97202,
    'file',
    'Line {line}, Column {column}: the property {name} was ignored: {reason}.',
    'Warning',
  ),
  JSON_MESSAGE_PROPERTY_IGNORED: entry(
    97203,
    'message',
    'Line {line}, Column {column}: the property {name} is not part of a listings message; it was ignored.',
    'Warning',
  ),
  SPAPI_FEED_TYPE_RETIRED: entry(
    97210,
    'feed',
    'The Selling Partner API no longer accepts the feed type {feedType}: listings feeds in XML and flat form were retired on 31 July 2025. Send the inventory as JSON_LISTINGS_FEED instead (the drop folder and the MWS endpoint still take {feedType}).',
  ),
  SPAPI_FEED_TYPE_UNKNOWN: entry(
    97211,
    'feed',
    'The feed type {feedType} is not one this server processes; the SP-API door takes {accepted}.',
  ),
  SPAPI_DOCUMENT_MISSING: entry(
    97212,
    'feed',
    'The input feed document {feedDocumentId} {detail}; upload the content to the url from createFeedDocument before calling createFeed.',
  ),
  LEDGER_CURRENCY_MISMATCH: entry(
    97101,
    'message',
    'The adjustment is in {given} but order {orderId} was charged in {orderCurrency}.',
  ),
  LEDGER_COMPONENT_OVER_REFUND: entry(
    97102,
    'message',
    'The requested refund amount for {component} is not eligible: {remaining} {currency} of it remains refundable on item {itemRef}.',
  ),
  LEDGER_NET_NOT_POSITIVE: entry(
    97103,
    'message',
    'The net adjustment amount is not a positive amount and has therefore been rejected (net {net} {currency}).',
  ),
  LEDGER_NET_OVER_BALANCE: entry(
    97103,
    'message',
    'The net adjustment amount is not a positive amount and has therefore been rejected: {net} {currency} is more than the {remaining} {currency} still refundable on item {itemRef}.',
  ),
  LEDGER_OVER_CANCEL: entry(
    97104,
    'message',
    'Cannot cancel {asked} units of item {itemRef}: only {open} are neither shipped nor cancelled.',
  ),
  LEDGER_DUPLICATE_ADJUSTMENT_ID: entry(
    97105,
    'message',
    'MerchantAdjustmentItemID {adjId} was already used for item {itemRef}; the adjustment is not applied again.',
  ),
  LEDGER_ITEM_SHIPPED: entry(
    97106,
    'message',
    'Item {itemRef} of order {orderId} has shipped units and cannot be cancelled by acknowledgement; send an order adjustment with QuantityCancelled for the unshipped units.',
  ),
  LEDGER_ORDER_SHIPPED: entry(
    97106,
    'message',
    'Order {orderId} has shipped units: a Failure acknowledgement without items would refund the whole order. List the unshipped items instead.',
  ),
  LEDGER_OVER_SHIP: entry(97107, 'message', 'Cannot ship {asked} units of item {itemRef}: {open} are open.'),
  LEDGER_NOTHING_TO_CANCEL: entry(97108, 'message', 'Order {orderId} has nothing left to cancel.'),
  LEDGER_AMOUNT_UNREPRESENTABLE: entry(
    97109,
    'message',
    'The amount {amount} cannot be booked in {currency}: it has more decimals than the currency or is too large.',
  ),
  LEDGER_MESSAGE_FAILED: entry(
    97110,
    'message',
    'The ledger could not apply this message to order {orderId}: {detail}. It was not applied; the rest of the feed was processed. Correct the order and submit the message again.',
  ),
  FEED_DUPLICATE: entry(
    97010,
    'file',
    'This file is identical to feed {duplicateOf} that merchant {merchantId} already submitted; nothing in it was applied again.',
    'Warning',
  ),
  FEED_CANCELLED: entry(
    97011,
    'file',
    'Feed {feedSubmissionId} was cancelled by merchant {merchantId} before processing began; nothing in it was applied.',
    'Warning',
  ),
  DROP_REFUSED: entry(
    97020,
    'feed',
    'The drop folder did not take {entry}: {reason}. It was not opened, read or moved; nothing in it was applied.',
  ),
  DROP_GIVEN_UP: entry(
    97021,
    'feed',
    'The file {file} could not be processed after {attempts} attempts ({error}); it was moved to failed/ and nothing more of it will be applied.',
  ),
  MERCHANT_ID_INVALID: entry(
    null,
    'system',
    "The merchant id {given} is not valid: a merchant id holds only letters, digits, '-' and '_' (1–50 characters).",
  ),
  FEED_ORDER_REPORT_DECLARED: entry(
    97050,
    'feed',
    'The file is an order report (_GET_FLAT_FILE_ORDERS_DATA_), not a {requested} feed: nothing in it was applied. Order reports are imported from the drop folder or with feedproc orders import.',
  ),
  RECOVERY_NOT_APPLIED: entry(
    97040,
    'message',
    'Not applied: the job holding this message was given up after {attempts} attempts ({reason}), and recovery finalised the feed without it. Submit the message again.',
  ),
  RECOVERY_FINALISED: entry(
    97041,
    'file',
    'Feed {feedSubmissionId} was finalised by recovery after its jobs were given up: {applied} of {pending} messages handed to the ledger were applied, {notApplied} were not (each listed with 97040).',
    'Warning',
  ),
  RECOVERY_GHOST_CANCELLED: entry(
    97042,
    'file',
    'Feed {feedSubmissionId} was cancelled by recovery: its submission stopped (the process ended) before its file was read, and nothing in it was applied. Submit the file again.',
    'Warning',
  ),
  RECOVERY_RESERVATION_CANCELLED: entry(
    97043,
    'file',
    'Feed {feedSubmissionId} was cancelled by recovery: its upload was interrupted after its FeedSubmissionId was given and before its file was kept, and nothing in it was applied. Send the feed again.',
    'Warning',
  ),
  CLI_REDIS_UNAVAILABLE: entry(null, 'system', 'Redis does not answer at {url}: {detail}'),
  QUEUE_REDIS_FULL: entry(
    null,
    'system',
    'Redis is out of memory (maxmemory reached, policy noeviction): {detail}. The feed was not finished and nothing of it was dropped: free memory or raise maxmemory, then submit the file again; it starts over or resumes, and no message is applied twice.',
  ),
  CLI_REDIS_SERVER_MISSING: entry(
    null,
    'system',
    'No Redis answers at {url} and no redis-server is on PATH to start a private one: install Redis (apt install redis-server) or pass --redis URL.',
  ),
  CLI_REDIS_EVICTION: entry(
    null,
    'system',
    'Redis at {url} has maxmemory-policy {policy}; workers need noeviction, or queued messages could be dropped. Run CONFIG SET maxmemory-policy noeviction.',
  ),
  CLI_USAGE: entry(null, 'system', '{detail}'),
  CLI_NOT_FOUND: entry(null, 'system', '{detail}'),
  CLI_NO_DATA: entry(
    null,
    'system',
    'No Redis is configured or answering, and no private redis-server has data in {dir} yet: {detail}. Start feedproc serve (or import orders) first, point --feeds-dir / FEEDPROC_FEEDS_DIR at the folder that holds the data, or pass --redis URL.',
  ),
  CLI_FILE_UNREADABLE: entry(null, 'system', 'cannot read {path}: {detail}'),
  INTERNAL: entry(null, 'system', '{detail}'),
  HTTP_AUTH_MISSING: entry(
    null,
    'http 401 MissingParameter',
    'This request needs an access key: Authorization: Bearer <secret key>, a signed MWS request, or a signed-in session.',
  ),
  HTTP_KEY_UNKNOWN: entry(null, 'http 401 InvalidAccessKeyId', 'The access key does not exist.'),
  HTTP_KEY_REVOKED: entry(null, 'http 403 AccessDenied', 'Access key {accessKeyId} was revoked.'),
  HTTP_OPERATOR_KEY: entry(
    null,
    'http 403 AccessDenied',
    "Access key {accessKeyId} is an operator's key: it opens the queue dashboard, not a merchant's feeds, orders or reports.",
  ),
  HTTP_OPERATORS_ONLY: entry(
    null,
    'http 403 AccessDenied',
    "The queue dashboard holds every merchant's jobs and is for operators only (a key created with keys create --operator); your feeds' jobs are shown on their feed pages.",
  ),
  HTTP_SIGNATURE_MISMATCH: entry(
    null,
    'http 403 SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your secret key and signing method.',
  ),
  HTTP_SIGNATURE_UNSUPPORTED: entry(
    null,
    'http 400 InvalidParameterValue',
    'SignatureVersion must be 2 and SignatureMethod HmacSHA256 or HmacSHA1, not {given}.',
  ),
  HTTP_TIMESTAMP_STALE: entry(
    null,
    'http 400 RequestExpired',
    'Timestamp {timestamp} is more than 15 minutes away from the server time {now}.',
  ),
  HTTP_REQUEST_EXPIRED: entry(
    null,
    'http 400 RequestExpired',
    'The request expired at {expires}; the server time is {now}.',
  ),
  HTTP_MERCHANT_MISMATCH: entry(
    null,
    'http 401 AccessDenied',
    'Access key {accessKeyId} does not belong to merchant {merchantId}.',
  ),
  HTTP_PARAMETER_MISSING: entry(null, 'http 400 MissingParameter', 'The request must contain the parameter {name}.'),
  HTTP_PARAMETER_INVALID: entry(
    null,
    'http 400 InvalidParameterValue',
    'Invalid value {value} for parameter {name}: {detail}',
  ),
  HTTP_ACTION_UNKNOWN: entry(
    null,
    'http 400 InvalidAction',
    'Action {action} is not one of the Feeds API 2009-01-01 operations.',
  ),
  HTTP_FEED_TYPE_INVALID: entry(
    null,
    'http 400 InvalidFeedType',
    'FeedType {feedType} is not a feed type feedproc processes.',
  ),
  HTTP_CONTENT_MD5_MISSING: entry(null, 'http 400 ContentMD5Missing', 'The Content-MD5 header value was missing.'),
  HTTP_CONTENT_MD5_MISMATCH: entry(
    null,
    'http 400 ContentMD5DoesNotMatch',
    "The calculated MD5 hash value {calculated} doesn't match the provided Content-MD5 value {given}.",
  ),
  HTTP_BODY_TOO_LARGE: entry(null, 'http 413 InvalidRequest', 'The feed is larger than {limit} bytes.'),
  HTTP_FORM_TOO_LARGE: entry(null, 'http 413 InvalidRequest', 'The form body is larger than {limit} bytes.'),
  HTTP_BODY_EMPTY: entry(null, 'http 400 InvalidRequest', 'The feed body is empty.'),
  UPLOAD_BODY_LOST: entry(
    null,
    'system',
    'The uploaded feed was removed before it could be taken, as the leftover of an interrupted upload: it took longer than FEEDPROC_RECOVERY_AGE_MS ({ageMs} ms). Nothing of it was kept; send it again.',
  ),
  HTTP_FEED_NOT_FOUND: entry(
    null,
    'http 404 InvalidFeedSubmissionId',
    'FeedSubmissionId {feedSubmissionId} does not exist.',
  ),
  HTTP_RESULT_NOT_READY: entry(null, 'http 404 FeedProcessingResultNotReady', 'Processing report not yet generated.'),
  HTTP_FEED_CANCELED: entry(
    null,
    'http 404 FeedCanceled',
    'Feed {feedSubmissionId} was canceled; it has no processing report.',
  ),
  HTTP_NOT_CANCELABLE: entry(
    null,
    'http 409 InvalidRequest',
    'Feed {feedSubmissionId} has begun processing ({status}); it cannot be canceled.',
  ),
  HTTP_NEXT_TOKEN_INVALID: entry(
    null,
    'http 400 InvalidParameterValue',
    'NextToken is not one this server issued for this merchant.',
  ),
  HTTP_THROTTLED: entry(
    null,
    'http 503 RequestThrottled',
    'Request is throttled: {operation} allows {max} requests, restoring one every {restoreSeconds} s.',
  ),
  HTTP_QUOTA_EXCEEDED: entry(
    null,
    'http 503 QuotaExceeded',
    'You exceeded your quota of {hourly} {operation} requests per hour.',
  ),
  HTTP_ORDER_NOT_FOUND: entry(
    null,
    'http 404 InvalidParameterValue',
    'Order {orderId} does not exist for this merchant.',
  ),
  HTTP_CSRF: entry(
    null,
    'http 403 AccessDenied',
    "The form was not sent from this site's page (missing or wrong CSRF token); reload the page and try again.",
  ),
  SPAPI_TOKEN_MISSING: entry(
    null,
    'http 403 Unauthorized',
    'Access to requested resource is denied: the request carries no x-amz-access-token header.',
  ),
  SPAPI_TOKEN_INVALID: entry(
    null,
    'http 403 Unauthorized',
    'Access to requested resource is denied: the access token is unknown, expired or revoked.',
  ),
  LWA_UNSUPPORTED_GRANT: entry(
    null,
    'http 400 UnsupportedGrantType',
    'The grant_type {grantType} is not supported; send grant_type=refresh_token.',
  ),
  LWA_INVALID_REQUEST: entry(null, 'http 400 InvalidRequest', 'The token request lacks the parameter {name}.'),
  LWA_INVALID_CLIENT: entry(null, 'http 401 InvalidClient', 'Client authentication failed.'),
  LWA_INVALID_GRANT: entry(
    null,
    'http 400 InvalidGrant',
    'The request has an invalid grant parameter: refresh_token (unknown, revoked or of another client).',
  ),
  SPAPI_INPUT_INVALID: entry(null, 'http 400 InvalidInput', '{detail}'),
  SPAPI_FEED_NOT_FOUND: entry(null, 'http 404 NotFound', 'The feed {feedId} does not exist for this seller.'),
  SPAPI_DOCUMENT_NOT_FOUND: entry(
    null,
    'http 404 NotFound',
    'The feed document {feedDocumentId} does not exist for this seller.',
  ),
  SPAPI_DOCUMENT_REUSED: entry(
    null,
    'http 400 InvalidInput',
    'The feed document {feedDocumentId} was already used by feed {feedId}; create a new document for each feed.',
  ),
  SPAPI_DOCUMENT_URL_INVALID: entry(
    null,
    'http 403 AccessDenied',
    'The document URL is not valid: {detail}. Ask createFeedDocument or getFeedDocument for a fresh one.',
  ),
  SPAPI_CONTENT_TYPE_MISMATCH: entry(
    null,
    'http 400 InvalidInput',
    'The upload is sent as {given}, but the document was created for {declared}.',
  ),
  SPAPI_NOT_CANCELLABLE: entry(
    null,
    'http 400 InvalidInput',
    'The feed {feedId} is {status}; only IN_QUEUE feeds can be cancelled.',
  ),
  SPAPI_THROTTLED: entry(
    null,
    'http 429 QuotaExceeded',
    'You exceeded your quota for the requested resource: {operation} allows a burst of {burst} and {rate} requests per second.',
  ),
  DESTINATION_NOT_FOUND: entry(
    null,
    'http 404 NotFound',
    'The notification destination {destinationId} does not exist for this merchant.',
  ),
  DESTINATION_URL_INVALID: entry(
    null,
    'http 400 InvalidInput',
    'The destination url {url} is not an absolute http or https URL.',
  ),
  HTTP_BAD_REQUEST: entry(null, 'http 400 InvalidRequest', 'The request is not well formed: {detail}'),
  HTTP_NOT_FOUND: entry(null, 'http 404 InvalidRequest', 'There is nothing at {path}.'),
  HTTP_EXPIRES_TOO_FAR: entry(
    null,
    'http 400 InvalidParameterValue',
    'Expires {expires} is more than 15 minutes after the server time {now}; sign the request again with a nearer Expires.',
  ),
  HTTP_IDEMPOTENCY_KEY_REUSED: entry(
    null,
    'http 422 InvalidRequest',
    'Idempotency-Key {idempotencyKey} was already used for a different request ({method} {path} with another body); use a new key for a new request.',
  ),
} satisfies Record<string, ErrorCodeEntry>);

export type ErrorCode = keyof typeof ERROR_CODES;

/** Fills the `{name}` placeholders of a catalogue text; a missing value stays visible as `{name}`. */
export function formatErrorText(code: ErrorCode, context: Readonly<Record<string, unknown>>): string {
  return ERROR_CODES[code].text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    context[name] === undefined ? whole : String(context[name]),
  );
}
