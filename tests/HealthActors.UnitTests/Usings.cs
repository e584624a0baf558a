global using Xunit;
global using HealthActors.TestKit;
