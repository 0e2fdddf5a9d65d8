using LicenseHub.Cli;

return await LhctlApp.RunAsync(args, Console.Out, Console.Error);
