// Credentials in pipeline.yaml's URLs (issue 16): refused with the value masked and the secret argument to use.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HEAD, API, problemsOf } from "./refusals.js";
import { parseConfig } from "../../.dagger/src/config/load.js";

describe("credentials in URLs", () => {
  const text = (section: string) => `${HEAD}${API}${section}\n`;

  it("are refused in releases.apiUrl and mirror URLs, masked in the message, with the secret argument to use", () => {
    const cases: [string, string][] = [
      [
        "releases: { provider: github, apiUrl: 'https://bob:hunter2@ghe.example/api/v3' }",
        'releases.apiUrl: must not carry credentials (user:password@, a token as the user, or a token parameter): pipeline.yaml is committed; pass the token as --release-token=env://RELEASE_TOKEN (got "https://bob:***@ghe.example/api/v3")',
      ],
      [
        "releases: { provider: gitea, apiUrl: 'https://ghp_abcdef123@gitea.example/api/v1' }",
        'releases.apiUrl: must not carry credentials (user:password@, a token as the user, or a token parameter): pipeline.yaml is committed; pass the token as --release-token=env://RELEASE_TOKEN (got "https://***@gitea.example/api/v1")',
      ],
      [
        "mirror: { npm: 'https://nexus.example/repository/npm/?access_token=s3cr3t' }",
        'mirror.npm: must not carry credentials (user:password@, a token as the user, or a token parameter): pipeline.yaml is committed; pass the token as --mirror-token=env://NEXUS_TOKEN (and --mirror-username) (got "https://nexus.example/repository/npm/?access_token=***")',
      ],
      [
        "mirror: { maven: 'https://nexus.example/maven?x=1&token=s3cr3t' }",
        'mirror.maven: must not carry credentials (user:password@, a token as the user, or a token parameter): pipeline.yaml is committed; pass the token as --mirror-token=env://NEXUS_TOKEN (and --mirror-username) (got "https://nexus.example/maven?x=1&token=***")',
      ],
    ];
    for (const [section, expected] of cases) {
      const problems = problemsOf(text(section));
      assert.deepEqual(problems, [expected], section);
      assert.doesNotMatch(problems.join("\n"), /hunter2|ghp_abcdef123|s3cr3t/);
    }
  });

  it("an ssh user is no credential; a URL without any is accepted", () => {
    assert.equal(parseConfig(text("gitops: { repository: 'ssh://git@host/acme/gitops.git' }")).gitops?.repository, "ssh://git@host/acme/gitops.git");
    assert.equal(parseConfig(text("mirror: { npm: 'https://nexus.example/repository/npm/?page=1' }")).mirror?.npm, "https://nexus.example/repository/npm/?page=1");
  });
});
