using LicenseHub.Agent.Commands;

return AgentCommandLine.Run(args, TimeProvider.System, Console.In, Console.Out, Console.Error);
