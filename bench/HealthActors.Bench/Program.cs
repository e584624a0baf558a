using HealthActors.Bench;

// The benches share the Api process, the load loop and the report plumbing; the first argument picks one.
var root = BenchSession.FindRepositoryRoot();
if (root is null)
{
    Console.Error.WriteLine("Run from inside the repository (HealthActors.sln not found above the current directory).");
    return 2;
}
return args switch
{
    ["booking", .. var rest] => await BookingBench.RunAsync(rest, root),
    ["chat", .. var rest] => await ChatBench.RunAsync(rest, root),
    ["auth", .. var rest] => await AuthBench.RunAsync(rest, root),
    ["profile", .. var rest] => await ProfileBench.RunAsync(rest, root),
    ["idle", .. var rest] => await IdleBench.RunAsync(rest, root),
    ["summary", .. var rest] => Summary.Render(rest, root),
    _ => await ChatBench.RunAsync(args, root),
};
