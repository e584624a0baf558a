namespace HealthActors.TestKit;

/// <summary>Where the checkout is and where its built programs are.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The build configuration of the running program (Debug or Release), read from its own output folder
    /// (bin/Debug/net10.0), so that a test or bench starts the silo and Api built alongside it.
    /// </summary>
    public static string Configuration { get; } =
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent?.Name is "Release" ? "Release" : "Debug";

    public static string ApiDll => BuiltDll("src/Api", "HealthActors.Api");
    public static string SiloDll => BuiltDll("src/Silo", "HealthActors.Silo");

    /// <summary>The dll of a project of this repository, as <c>dotnet build</c> leaves it.</summary>
    public static string BuiltDll(string projectDirectory, string assemblyName, string? configuration = null) =>
        Path.Combine(Root, projectDirectory, "bin", configuration ?? Configuration, "net10.0", assemblyName + ".dll");

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "HealthActors.sln"))) return dir.FullName;
        throw new InvalidOperationException("HealthActors.sln not found above " + AppContext.BaseDirectory);
    }
}
