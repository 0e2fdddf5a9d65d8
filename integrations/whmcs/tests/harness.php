<?php
/**
 * Drives the LicenseHub WHMCS module the way WHMCS does, against a real LicenseHub server: each provisioning
 * function is called with the $params array WHMCS passes. WHMCS itself is not here, so localAPI and logModuleCall
 * are stand-ins that record their calls (logModuleCall masks the values it is given, as WHMCS does).
 *
 * Environment: LICENSEHUB_URL (the REST endpoint, e.g. http://127.0.0.1:5081), LICENSEHUB_API_KEY (a reseller key),
 * LICENSEHUB_PLAN_STOCKED (a plan whose pool has licenses left), LICENSEHUB_PLAN_EMPTY (a plan never bought).
 * Prints one JSON object: the result of every step, the localAPI calls and the module log as WHMCS would keep it.
 *
 *   php harness.php
 */

define('LICENSEHUB_WHMCS_HARNESS', true);
require __DIR__ . '/../modules/servers/licensehub/licensehub.php';

$GLOBALS['localapi_calls'] = [];
$GLOBALS['module_log'] = [];
$GLOBALS['services'] = [];

function localAPI(string $command, array $values, ?string $adminUser = null): array
{
    $GLOBALS['localapi_calls'][] = ['command' => $command, 'values' => $values];
    if ($command === 'UpdateClientProduct') {
        $GLOBALS['services'][$values['serviceid']] = [
            'username' => $values['serviceusername'] ?? '',
            'password' => $values['servicepassword'] ?? '',
        ];
        return ['result' => 'success', 'serviceid' => $values['serviceid']];
    }
    return ['result' => 'error', 'message' => "The harness does not know $command"];
}

function logModuleCall(string $module, string $action, mixed $request, mixed $response, mixed $processed = '', array $replaceVars = []): void
{
    $line = json_encode([$module, $action, $request, $response, $processed], JSON_UNESCAPED_SLASHES);
    foreach ($replaceVars as $secret) {
        if (is_string($secret) && $secret !== '') {
            $line = str_replace($secret, '***', $line);
        }
    }
    $GLOBALS['module_log'][] = $line;
}

function env_or_die(string $name): string
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        fwrite(STDERR, "$name is not set\n");
        exit(2);
    }
    return $value;
}

$url = parse_url(env_or_die('LICENSEHUB_URL'));
$apiKey = env_or_die('LICENSEHUB_API_KEY');
$stocked = env_or_die('LICENSEHUB_PLAN_STOCKED');
$empty = env_or_die('LICENSEHUB_PLAN_EMPTY');

/** The $params WHMCS passes for a service of a product sold with the given plan. */
function params(int $serviceId, string $planId, array $overrides = []): array
{
    global $url, $apiKey;
    $stored = $GLOBALS['services'][$serviceId] ?? ['username' => '', 'password' => ''];
    return array_merge([
        'accountid' => $serviceId,
        'serviceid' => $serviceId,
        'userid' => 7,
        'pid' => 3,
        'producttype' => 'other',
        'moduletype' => 'licensehub',
        'domain' => '',
        'username' => $stored['username'],
        'password' => $stored['password'],
        'serverid' => 1,
        'serverip' => '',
        'serverhostname' => $url['host'],
        'serverport' => (string)($url['port'] ?? ''),
        'serverusername' => '',
        'serverpassword' => $apiKey,
        'serveraccesshash' => '',
        'serversecure' => ($url['scheme'] ?? 'http') === 'https' ? 'on' : '',
        'configoption1' => $planId,
        'configoption2' => '2',
        'configoption3' => '1',
        'customfields' => [],
        'configoptions' => [],
        'clientsdetails' => ['userid' => 7, 'email' => 'customer@example.com'],
    ], $overrides);
}

$steps = [];
$steps['metaData'] = licensehub_MetaData()['DisplayName'] ?? null;
$steps['configOptions'] = array_keys(licensehub_ConfigOptions());
$steps['testConnection'] = licensehub_TestConnection(params(0, $stocked));
$steps['testConnectionWrongKey'] = licensehub_TestConnection(params(0, $stocked, ['serverpassword' => 'lh_wrongwrong_00000000000000000000000000000000']));

// A plan never bought: the pool is empty, so CreateAccount orders first, then assigns.
$steps['createFromEmptyPool'] = licensehub_CreateAccount(params(101, $empty));
$first = $GLOBALS['services'][101] ?? null;
// WHMCS retries a CreateAccount whose answer it lost before it stored anything: the same license, nothing bought again.
unset($GLOBALS['services'][101]);
$steps['createRetried'] = licensehub_CreateAccount(params(101, $empty));
$steps['sameLicenseOnRetry'] = $first !== null && $first === ($GLOBALS['services'][101] ?? null);
$steps['createAlreadyStored'] = licensehub_CreateAccount(params(101, $empty));

// A plan with licenses left in the pool: assigned without an order.
$steps['createFromStockedPool'] = licensehub_CreateAccount(params(102, $stocked));

$steps['suspend'] = licensehub_SuspendAccount(params(101, $empty));
$steps['suspendRetried'] = licensehub_SuspendAccount(params(101, $empty));
$steps['unsuspend'] = licensehub_UnsuspendAccount(params(101, $empty));
$steps['renew'] = licensehub_Renew(params(101, $empty, ['model' => (object)['nextduedate' => '2027-12-03']]));
$steps['renewRetried'] = licensehub_Renew(params(101, $empty, ['model' => (object)['nextduedate' => '2027-12-03']]));
$steps['changePackage'] = licensehub_ChangePackage(params(102, $empty));
$steps['clientArea'] = licensehub_ClientArea(params(101, $empty));
$steps['terminate'] = licensehub_TerminateAccount(params(102, $empty));

// Refusals come back as error strings naming the problem.
$steps['createWithoutPlan'] = licensehub_CreateAccount(params(103, ''));
$steps['createUnknownPlan'] = licensehub_CreateAccount(params(104, 'not-a-plan'));
$steps['suspendUnprovisioned'] = licensehub_SuspendAccount(params(105, $empty));
$steps['createUnreachable'] = licensehub_CreateAccount(params(106, $empty, ['serverhostname' => '127.0.0.1', 'serverport' => '1']));

echo json_encode([
    'steps' => $steps,
    'services' => $GLOBALS['services'],
    'localApiCalls' => count($GLOBALS['localapi_calls']),
    'log' => $GLOBALS['module_log'],
], JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT), "\n";
