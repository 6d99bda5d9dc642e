return await PipeChat.LoadTest.LoadTestRunner.MainAsync(args);
