global using Xunit;
global using HealthActors.Tests.Infrastructure;
