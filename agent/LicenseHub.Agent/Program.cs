using LicenseHub.Agent.Commands;

return AgentCommandLine.Run(args, TimeProvider.System, Console.Out, Console.Error);
