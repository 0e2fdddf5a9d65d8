// Each test starts real server processes; on small CI machines running them side by side only makes
// start-up timeouts flaky.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
