Console.Error.WriteLine("canary-analyzer: not implemented yet");
return 2;
