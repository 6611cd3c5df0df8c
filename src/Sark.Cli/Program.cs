using Sark.Cli;

return await SarkCli.RunAsync(args, Console.Out, Console.Error);
