// The webshop as an Aspire AppHost: the database server, the Flyway migration job and the two
// components of pipeline.yaml, wired the way pipeline.yaml wires them. Integration runs start
// this graph (`dagger -m modules/aspire call test …`) with the components under test overridden
// by their new images; every other resource keeps the image below, the release dev runs.
//
// The manifest beside this folder (../aspire-manifest.json) is what
//   dotnet run --project Webshop.AppHost -- --publisher manifest --output-path ../aspire-manifest.json
// writes. It is committed because .NET is not on every machine that runs the pipeline's tests;
// `aspire test --app-host …` regenerates it in a .NET SDK container.

// Images of the release dev runs, by git SHA (never a floating tag).
const string Registry = "registry.example.com/acme/webshop";
const string DevRelease = "abfdc55e5e377309608c348415bf67dc0ba5c90a";

var builder = DistributedApplication.CreateBuilder(args);

// The password is generated per run unless one is given (Parameters:db-password).
var dbUser = builder.AddParameter("db-user", "webshop", publishValueAsDefault: true);
var dbPassword = builder.AddParameter("db-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true);

// The major version production runs, as pipeline.yaml's database.image.
var db = builder.AddPostgres("db", dbUser, dbPassword)
    .WithImageTag("15-bookworm")
    .WithEnvironment("POSTGRES_DB", "webshop");
var tcp = db.GetEndpoint("tcp");

// The release's migration image: Flyway with the release's migrations, run to completion first.
var migrate = builder.AddContainer("db-migrate", $"{Registry}/db", DevRelease)
    .WithArgs("migrate")
    .WithEnvironment("FLYWAY_URL", ReferenceExpression.Create($"jdbc:postgresql://{tcp.Property(EndpointProperty.Host)}:{tcp.Property(EndpointProperty.Port)}/webshop"))
    .WithEnvironment("FLYWAY_USER", dbUser)
    .WithEnvironment("FLYWAY_PASSWORD", dbPassword)
    // WaitFor is not in the manifest: where the graph runs from it (Compose), Flyway waits itself.
    .WithEnvironment("FLYWAY_CONNECT_RETRIES", "60")
    .WaitFor(db);

var backend = builder.AddContainer("backend", $"{Registry}/backend", DevRelease)
    .WithHttpEndpoint(targetPort: 8080)
    .WithEnvironment("DATABASE_URL", ReferenceExpression.Create($"postgresql://{dbUser}:{dbPassword}@{tcp.Property(EndpointProperty.Host)}:{tcp.Property(EndpointProperty.Port)}/webshop"))
    .WithHttpHealthCheck("/health")
    .WaitForCompletion(migrate);

builder.AddContainer("frontend", $"{Registry}/frontend", DevRelease)
    .WithHttpEndpoint(targetPort: 8080)
    .WithExternalHttpEndpoints()
    .WithEnvironment("BACKEND_URL", backend.GetEndpoint("http"))
    .WithHttpHealthCheck("/healthz")
    .WaitFor(backend);

builder.Build().Run();
