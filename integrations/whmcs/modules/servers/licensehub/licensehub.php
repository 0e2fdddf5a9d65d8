<?php
/**
 * LicenseHub provisioning module for WHMCS (PHP 8.2+, curl extension only).
 *
 * One WHMCS service is one LicenseHub license. The module talks to the LicenseHub REST API (/v1/...) with the
 * reseller API key of the WHMCS server entry (its password, or its access hash) as "Authorization: Bearer".
 * Every call that buys or assigns carries an idempotency key derived from the WHMCS service id, so a retried
 * CreateAccount neither buys nor assigns twice and returns the same license key.
 *
 * The license id is kept in the service's username, the license key in its password (WHMCS stores service
 * passwords encrypted), both written with the localAPI command UpdateClientProduct. The API key and license keys
 * are never written to the module log: logModuleCall is given them as values to mask, and license keys are
 * removed from the logged responses.
 *
 * See integrations/whmcs/README.md for installation and the $params read.
 */

if (!defined('WHMCS') && !defined('LICENSEHUB_WHMCS_HARNESS')) {
    die('This file cannot be accessed directly');
}

const LICENSEHUB_MODULE = 'licensehub';

/** A refusal or transport failure, with the message WHMCS shows to the admin. */
final class LicenseHubError extends \RuntimeException
{
    public function __construct(string $message, public readonly int $grpcCode = 0, public readonly int $httpStatus = 0)
    {
        parent::__construct($message);
    }
}

function licensehub_MetaData(): array
{
    return [
        'DisplayName' => 'LicenseHub',
        'APIVersion' => '1.1',
        'RequiresServer' => true,
        'DefaultNonSSLPort' => '5081',
        'DefaultSSLPort' => '443',
        'ServiceSingleSignOnLabel' => false,
        'AdminSingleSignOnLabel' => false,
    ];
}

function licensehub_ConfigOptions(): array
{
    return [
        // configoption1
        'Plan ID' => [
            'Type' => 'text',
            'Size' => '40',
            'Description' => 'The LicenseHub plan id (lhctl plans) this product sells.',
        ],
        // configoption2
        'Order Batch' => [
            'Type' => 'text',
            'Size' => '5',
            'Default' => '1',
            'Description' => 'Licenses bought at once when the pool is empty (1..1000).',
        ],
        // configoption3
        'Renewal Terms' => [
            'Type' => 'text',
            'Size' => '3',
            'Default' => '1',
            'Description' => 'Plan terms paid per WHMCS renewal (1..10).',
        ],
    ];
}

function licensehub_TestConnection(array $params): array
{
    try {
        $account = licensehub_request($params, 'GET', '/v1/account', null, 'TestConnection');
        if (!isset($account['id'])) {
            return ['success' => false, 'error' => 'LicenseHub answered without an account.'];
        }
        return ['success' => true, 'error' => ''];
    } catch (\Throwable $e) {
        return ['success' => false, 'error' => $e->getMessage()];
    }
}

function licensehub_CreateAccount(array $params): string
{
    try {
        $planId = licensehub_plan_id($params);
        $serviceId = licensehub_service_id($params);
        $existing = trim((string)($params['username'] ?? ''));
        if ($existing !== '' && trim((string)($params['password'] ?? '')) !== '') {
            // Already provisioned (the license id is kept in the username): nothing is bought or assigned again.
            licensehub_request($params, 'GET', '/v1/licenses/' . rawurlencode($existing), null, 'CreateAccount');
            return 'success';
        }

        $pool = licensehub_find_pool($params, $planId);
        $assigned = null;
        if ($pool !== null) {
            try {
                $assigned = licensehub_assign($params, $pool['id'], $serviceId);
            } catch (LicenseHubError $e) {
                // FAILED_PRECONDITION: the pool holds fewer licenses than asked for; buy first, then assign.
                if ($e->grpcCode !== 9) {
                    throw $e;
                }
            }
        }
        if ($assigned === null) {
            $batch = licensehub_int_option($params, 2, 1, 1, 1000, 'Order Batch');
            $order = licensehub_request($params, 'POST', '/v1/orders', [
                'planId' => $planId,
                'quantity' => $batch,
                'idempotencyKey' => 'whmcs:order:' . $serviceId,
            ], 'CreateAccount');
            $poolId = (string)($order['pool']['id'] ?? '');
            if ($poolId === '') {
                throw new LicenseHubError('LicenseHub answered the order without a pool.');
            }
            $assigned = licensehub_assign($params, $poolId, $serviceId);
        }

        $licenseId = (string)($assigned['license']['id'] ?? '');
        $licenseKey = (string)($assigned['licenseKey'] ?? '');
        if ($licenseId === '' || $licenseKey === '') {
            throw new LicenseHubError('LicenseHub answered the assignment without a license and its key.');
        }
        licensehub_store($params, $licenseId, $licenseKey);
        return 'success';
    } catch (\Throwable $e) {
        return $e->getMessage();
    }
}

function licensehub_SuspendAccount(array $params): string
{
    return licensehub_license_action($params, 'suspend', 'SuspendAccount', ['LICENSE_STATE_SUSPENDED']);
}

function licensehub_UnsuspendAccount(array $params): string
{
    return licensehub_license_action($params, 'resume', 'UnsuspendAccount', ['LICENSE_STATE_ACTIVE']);
}

function licensehub_TerminateAccount(array $params): string
{
    return licensehub_license_action($params, 'revoke', 'TerminateAccount', ['LICENSE_STATE_REVOKED']);
}

function licensehub_Renew(array $params): string
{
    try {
        $licenseId = licensehub_license_id($params);
        $terms = licensehub_int_option($params, 3, 1, 1, 10, 'Renewal Terms');
        licensehub_request($params, 'POST', '/v1/licenses/' . rawurlencode($licenseId) . ':renew', [
            'terms' => $terms,
            'idempotencyKey' => licensehub_renewal_key($params, $licenseId),
        ], 'Renew');
        return 'success';
    } catch (\Throwable $e) {
        return $e->getMessage();
    }
}

function licensehub_ChangePackage(array $params): string
{
    try {
        $licenseId = licensehub_license_id($params);
        $planId = licensehub_plan_id($params);
        $license = licensehub_request($params, 'GET', '/v1/licenses/' . rawurlencode($licenseId), null, 'ChangePackage');
        if (($license['license']['planId'] ?? '') === $planId) {
            return 'success';
        }
        licensehub_request($params, 'POST', '/v1/licenses:changePlan', [
            'licenseIds' => [$licenseId],
            'targetPlanId' => $planId,
            'idempotencyKey' => substr('whmcs:plan:' . licensehub_service_id($params) . ':' . $planId, 0, 64),
        ], 'ChangePackage');
        return 'success';
    } catch (\Throwable $e) {
        return $e->getMessage();
    }
}

function licensehub_ClientArea(array $params): array|string
{
    try {
        $licenseId = licensehub_license_id($params);
        $found = licensehub_request($params, 'GET', '/v1/licenses/' . rawurlencode($licenseId), null, 'ClientArea');
        $license = $found['license'] ?? [];
        $state = strtolower(str_replace('LICENSE_STATE_', '', (string)($license['state'] ?? 'LICENSE_STATE_UNSPECIFIED')));
        $rows = [
            'License key' => (string)($params['password'] ?? ''),
            'State' => $state,
            'Expires' => (string)($license['expiresAt'] ?? ''),
            'Machines' => ($license['installations'] ?? 0) . ' of ' . ($license['maxMachines'] ?? 0),
        ];
        $html = '<table class="table licensehub-license">';
        foreach ($rows as $label => $value) {
            $html .= '<tr><th>' . htmlspecialchars($label, ENT_QUOTES) . '</th><td>'
                . htmlspecialchars((string)$value, ENT_QUOTES) . '</td></tr>';
        }
        return $html . '</table>';
    } catch (\Throwable $e) {
        return '<p class="text-danger">' . htmlspecialchars('The license cannot be shown: ' . $e->getMessage(), ENT_QUOTES) . '</p>';
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Internals

function licensehub_license_action(array $params, string $verb, string $action, array $doneStates): string
{
    try {
        $licenseId = licensehub_license_id($params);
        $path = '/v1/licenses/' . rawurlencode($licenseId);
        try {
            licensehub_request($params, 'POST', $path . ':' . $verb, null, $action);
        } catch (LicenseHubError $e) {
            // A retried action finds the license already in the target state: that is success, not an error.
            $current = licensehub_request($params, 'GET', $path, null, $action);
            if (!in_array($current['license']['state'] ?? '', $doneStates, true)) {
                throw $e;
            }
        }
        return 'success';
    } catch (\Throwable $e) {
        return $e->getMessage();
    }
}

function licensehub_assign(array $params, string $poolId, string $serviceId): array
{
    $response = licensehub_request($params, 'POST', '/v1/pools/' . rawurlencode($poolId) . '/licenses', [
        'assignments' => [['resellerReference' => 'whmcs:service:' . $serviceId]],
        'idempotencyKey' => 'whmcs:assign:' . $serviceId,
    ], 'CreateAccount');
    $licenses = $response['licenses'] ?? [];
    if (count($licenses) !== 1) {
        throw new LicenseHubError('LicenseHub answered the assignment with ' . count($licenses) . ' licenses instead of one.');
    }
    return $licenses[0];
}

/** The reseller's pool of the plan, or null when none has been bought yet. */
function licensehub_find_pool(array $params, string $planId): ?array
{
    $token = '';
    $found = null;
    do {
        $query = '?page.pageSize=500' . ($token === '' ? '' : '&page.pageToken=' . rawurlencode($token));
        $page = licensehub_request($params, 'GET', '/v1/pools' . $query, null, 'CreateAccount');
        foreach ($page['pools'] ?? [] as $pool) {
            if (($pool['planId'] ?? '') === $planId && ($found === null || ($pool['available'] ?? 0) > ($found['available'] ?? 0))) {
                $found = $pool;
            }
        }
        $token = (string)($page['nextPageToken'] ?? '');
    } while ($token !== '');
    return $found;
}

/** Keeps the license id in the service's username and its key in the (encrypted) service password. */
function licensehub_store(array $params, string $licenseId, string $licenseKey): void
{
    if (!function_exists('localAPI')) {
        throw new LicenseHubError('The WHMCS localAPI is not available to store the license.');
    }
    $result = localAPI('UpdateClientProduct', [
        'serviceid' => $params['serviceid'],
        'serviceusername' => $licenseId,
        'servicepassword' => $licenseKey,
    ]);
    if (($result['result'] ?? '') !== 'success') {
        throw new LicenseHubError('WHMCS did not store the license: ' . (string)($result['message'] ?? 'unknown error'));
    }
}

/**
 * One renewal per WHMCS billing period: the key carries the service's next due date (the period paid for), so a
 * retried Renew of the same invoice replays instead of paying twice.
 */
function licensehub_renewal_key(array $params, string $licenseId): string
{
    $due = '';
    $model = $params['model'] ?? null;
    if (is_object($model) && isset($model->nextduedate)) {
        $due = (string)$model->nextduedate;
    } elseif (is_array($model) && isset($model['nextduedate'])) {
        $due = (string)$model['nextduedate'];
    }
    if ($due === '') {
        $license = licensehub_request($params, 'GET', '/v1/licenses/' . rawurlencode($licenseId), null, 'Renew');
        $due = (string)($license['license']['expiresAt'] ?? '');
    }
    $due = preg_replace('/[^0-9A-Za-z]/', '', $due);
    return substr('whmcs:renew:' . licensehub_service_id($params) . ':' . $due, 0, 64);
}

function licensehub_service_id(array $params): string
{
    $id = (string)($params['serviceid'] ?? '');
    if (!preg_match('/^[0-9]{1,20}$/', $id)) {
        throw new LicenseHubError('The WHMCS service id is missing.');
    }
    return $id;
}

function licensehub_plan_id(array $params): string
{
    $plan = trim((string)($params['configoption1'] ?? ''));
    if ($plan === '') {
        throw new LicenseHubError('The product has no LicenseHub Plan ID (module settings, first option).');
    }
    return $plan;
}

function licensehub_license_id(array $params): string
{
    $id = trim((string)($params['username'] ?? ''));
    if ($id === '') {
        throw new LicenseHubError('The service has no LicenseHub license yet (its username holds the license id): run Create first.');
    }
    return $id;
}

function licensehub_int_option(array $params, int $n, int $default, int $min, int $max, string $name): int
{
    $raw = trim((string)($params['configoption' . $n] ?? ''));
    if ($raw === '') {
        return $default;
    }
    if (!preg_match('/^[0-9]+$/', $raw) || (int)$raw < $min || (int)$raw > $max) {
        throw new LicenseHubError("The module setting '$name' must be a whole number from $min to $max.");
    }
    return (int)$raw;
}

function licensehub_api_key(array $params): string
{
    $key = trim((string)($params['serverpassword'] ?? ''));
    if ($key === '') {
        $key = trim((string)($params['serveraccesshash'] ?? ''));
    }
    if ($key === '') {
        throw new LicenseHubError('The server has no LicenseHub API key (its password or access hash).');
    }
    return $key;
}

function licensehub_base_url(array $params): string
{
    $host = trim((string)($params['serverhostname'] ?? ''));
    if ($host === '') {
        $host = trim((string)($params['serverip'] ?? ''));
    }
    if ($host === '') {
        throw new LicenseHubError('The server has no hostname.');
    }
    if (preg_match('#^https?://#i', $host)) {
        return rtrim($host, '/');
    }
    $secure = in_array(strtolower((string)($params['serversecure'] ?? '')), ['1', 'on', 'true', 'yes'], true);
    $port = trim((string)($params['serverport'] ?? ''));
    $url = ($secure ? 'https://' : 'http://') . $host;
    if ($port !== '' && !str_contains($host, ':')) {
        $url .= ':' . $port;
    }
    return $url;
}

/**
 * One REST call. Answers the decoded JSON body; a refusal throws LicenseHubError with the server's message and,
 * for bad input, the fields it names (google.rpc.BadRequest).
 */
function licensehub_request(array $params, string $method, string $path, ?array $body, string $action): array
{
    $apiKey = licensehub_api_key($params);
    $url = licensehub_base_url($params) . $path;
    $payload = $body === null ? ($method === 'POST' ? '{}' : null) : json_encode($body, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);

    $curl = curl_init($url);
    $headers = ['Accept: application/json', 'Authorization: Bearer ' . $apiKey];
    if ($payload !== null) {
        $headers[] = 'Content-Type: application/json';
        curl_setopt($curl, CURLOPT_POSTFIELDS, $payload);
    }
    curl_setopt_array($curl, [
        CURLOPT_CUSTOMREQUEST => $method,
        CURLOPT_HTTPHEADER => $headers,
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CONNECTTIMEOUT => 10,
        CURLOPT_TIMEOUT => 60,
        CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
        CURLOPT_SSL_VERIFYPEER => true,
        CURLOPT_SSL_VERIFYHOST => 2,
    ]);
    $raw = curl_exec($curl);
    $status = (int)curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
    $transportError = $raw === false ? curl_error($curl) : '';
    curl_close($curl);

    $decoded = is_string($raw) && $raw !== '' ? json_decode($raw, true) : [];
    licensehub_log($action, $method . ' ' . $path, $body, $decoded ?? $raw, $apiKey);

    if ($raw === false) {
        throw new LicenseHubError('LicenseHub cannot be reached: ' . $transportError);
    }
    if (!is_array($decoded)) {
        throw new LicenseHubError("LicenseHub answered HTTP $status without JSON.", 0, $status);
    }
    if ($status < 200 || $status >= 300) {
        throw licensehub_refusal($decoded, $status);
    }
    return $decoded;
}

/** The google.rpc.Status of a refusal as one line: its message and the fields its BadRequest names. */
function licensehub_refusal(array $status, int $httpStatus): LicenseHubError
{
    $message = (string)($status['message'] ?? "HTTP $httpStatus");
    $fields = [];
    foreach ($status['details'] ?? [] as $detail) {
        foreach ($detail['fieldViolations'] ?? [] as $violation) {
            $fields[] = ($violation['field'] ?? '?') . ': ' . ($violation['description'] ?? '');
        }
    }
    if ($fields !== []) {
        $message .= ' (' . implode('; ', $fields) . ')';
    }
    return new LicenseHubError('LicenseHub: ' . $message, (int)($status['code'] ?? 0), $httpStatus);
}

/** The module log, with the API key and every license key masked and license keys removed from responses. */
function licensehub_log(string $action, string $request, mixed $body, mixed $response, string $apiKey): void
{
    if (!function_exists('logModuleCall')) {
        return;
    }
    $secrets = [$apiKey];
    $scrub = function (mixed $value) use (&$scrub, &$secrets): mixed {
        if (!is_array($value)) {
            return $value;
        }
        foreach ($value as $k => $v) {
            if ($k === 'licenseKey' && is_string($v)) {
                $secrets[] = $v;
                $value[$k] = '(not logged)';
            } else {
                $value[$k] = $scrub($v);
            }
        }
        return $value;
    };
    $response = $scrub($response);
    logModuleCall(LICENSEHUB_MODULE, $action, ['request' => $request, 'body' => $body], $response,
        is_array($response) ? json_encode($response, JSON_UNESCAPED_SLASHES) : (string)$response, $secrets);
}
