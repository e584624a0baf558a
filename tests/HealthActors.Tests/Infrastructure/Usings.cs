global using Xunit;
global using HealthActors.TestKit;
global using HealthActors.Tests.Infrastructure;
